package com.pyerp.realtime.aws.dynamo;

import static com.pyerp.realtime.core.registry.RegistrySchema.BY_CHANNEL_PROJECTION;
import static com.pyerp.realtime.core.registry.RegistrySchema.CONN_BY_USER_INDEX;
import static com.pyerp.realtime.core.registry.RegistrySchema.CONN_PK;
import static com.pyerp.realtime.core.registry.RegistrySchema.CONN_USER_KEY;
import static com.pyerp.realtime.core.registry.RegistrySchema.EXPIRES_AT;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_PK;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_SK;
import static com.pyerp.realtime.core.registry.RegistrySchema.SUB_BY_CHANNEL_INDEX;
import static com.pyerp.realtime.core.registry.RegistrySchema.SUB_CHANNEL_PK;
import static com.pyerp.realtime.core.registry.RegistrySchema.SUB_CHANNEL_SK;
import static com.pyerp.realtime.core.registry.RegistrySchema.SUB_PK;
import static com.pyerp.realtime.core.registry.RegistrySchema.SUB_SK;

import com.pyerp.realtime.core.registry.RegistryKeys;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * Creates the registry's tables (connections, subscriptions, and the channel history), the way the CDK stack's
 * {@code RegistryTables} construct defines them (on-demand billing, TTL on {@code expiresAt}): for the local
 * gateway's {@code --registry dynamodb}, the tests and the benchmarks.
 *
 * <ul>
 *   <li>connections: key {@code connectionId}; index {@code byUser} on {@code userKey} (= tenant#userId),
 *       projecting ALL (a user has a handful of connections, read whole).</li>
 *   <li>subscriptions: key {@code connectionId} + {@code channelKey}; index {@code byChannel} on
 *       {@code channelKey} + {@code connectionId}, projecting only {@code userId, roles, expiresAt}.</li>
 *   <li>channel history: key {@code channelKey} + {@code offset} ({@link #historyTableRequest}).</li>
 * </ul>
 */
public final class RegistryTableSetup {
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{3,255}");
    private static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(2);

    private RegistryTableSetup() {}

    /** What {@link #createIfMissing} did. TTL per table: ENABLED, ENABLING, or UNSUPPORTED (dynalite has no TTL API). */
    public record Outcome(List<String> created, List<String> existing, Map<String, String> ttl) {
        @Override
        public String toString() {
            return "registry tables: created " + created + ", already there " + existing + ", TTL on " + EXPIRES_AT
                    + " " + ttl;
        }
    }

    /**
     * Creates both tables and their indexes unless they exist, waits until they are ACTIVE, and enables TTL
     * where the endpoint supports it. An existing table is checked: a different key or a missing index is an
     * error, because the registry's queries would fail on it. Safe to call on every start.
     *
     * @throws IllegalArgumentException      an invalid or duplicate table name
     * @throws IllegalStateException         a table exists with another key schema or without the index
     * @throws RegistryUnavailableException  DynamoDB unreachable or refusing
     */
    public static Outcome createIfMissing(DynamoDbClient client, String connectionsTable, String subscriptionsTable) {
        Objects.requireNonNull(client, "client");
        List<String> problems = new ArrayList<>();
        nameProblem("connections table", connectionsTable).ifPresent(problems::add);
        nameProblem("subscriptions table", subscriptionsTable).ifPresent(problems::add);
        if (problems.isEmpty() && connectionsTable.equals(subscriptionsTable)) {
            problems.add("the connections and subscriptions tables must differ, both are '" + connectionsTable + "'");
        }
        if (!problems.isEmpty())
            throw new IllegalArgumentException("cannot create the registry tables: " + String.join("; ", problems));

        Optional<URI> endpoint = client.serviceClientConfiguration().endpointOverride();
        List<String> created = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        Map<String, String> ttl = new LinkedHashMap<>();
        for (CreateTableRequest req :
                List.of(connectionsTableRequest(connectionsTable), subscriptionsTableRequest(subscriptionsTable))) {
            String table = req.tableName();
            try {
                try {
                    client.createTable(req);
                    created.add(table);
                } catch (ResourceInUseException alreadyThere) {
                    existing.add(table);
                }
                TableDescription d = waitActive(client, table);
                check(req, d);
                ttl.put(table, enableTtl(client, table));
            } catch (SdkException e) {
                throw DynamoErrors.translate("creating the registry table", table, endpoint, e);
            }
        }
        return new Outcome(List.copyOf(created), List.copyOf(existing), Collections.unmodifiableMap(ttl));
    }

    /** The CreateTable request of the connections table (also the reference the CDK construct is tested against). */
    public static CreateTableRequest connectionsTableRequest(String table) {
        return CreateTableRequest.builder()
                .tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attr(CONN_PK), attr(CONN_USER_KEY))
                .keySchema(hash(CONN_PK))
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder()
                        .indexName(CONN_BY_USER_INDEX)
                        .keySchema(hash(CONN_USER_KEY))
                        .projection(Projection.builder()
                                .projectionType(ProjectionType.ALL)
                                .build())
                        .build())
                .build();
    }

    /**
     * Creates the channel history table unless it exists (checking its key when it does), waits until it is ACTIVE
     * and enables TTL where the endpoint supports it.
     */
    public static Outcome createHistoryIfMissing(DynamoDbClient client, String historyTable) {
        Objects.requireNonNull(client, "client");
        nameProblem("history table", historyTable).ifPresent(p -> {
            throw new IllegalArgumentException("cannot create the history table: " + p);
        });
        Optional<URI> endpoint = client.serviceClientConfiguration().endpointOverride();
        CreateTableRequest req = historyTableRequest(historyTable);
        List<String> created = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        try {
            try {
                client.createTable(req);
                created.add(historyTable);
            } catch (ResourceInUseException alreadyThere) {
                existing.add(historyTable);
            }
            TableDescription d = waitActive(client, historyTable);
            if (!keys(req.keySchema()).equals(keys(d.keySchema()))) {
                throw new IllegalStateException("table '" + historyTable + "' exists with key " + keys(d.keySchema())
                        + " but the history needs " + keys(req.keySchema())
                        + "; use another table name or delete the table");
            }
            return new Outcome(
                    List.copyOf(created), List.copyOf(existing), Map.of(historyTable, enableTtl(client, historyTable)));
        } catch (SdkException e) {
            throw DynamoErrors.translate("creating the history table", historyTable, endpoint, e);
        }
    }

    /**
     * The CreateTable request of the channel history table: key {@code channelKey} + {@code offset} (number), no
     * index (every read is a key range of one channel).
     */
    public static CreateTableRequest historyTableRequest(String table) {
        return CreateTableRequest.builder()
                .tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        attr(HISTORY_PK),
                        AttributeDefinition.builder()
                                .attributeName(HISTORY_SK)
                                .attributeType(ScalarAttributeType.N)
                                .build())
                .keySchema(hash(HISTORY_PK), range(HISTORY_SK))
                .build();
    }

    /** The CreateTable request of the subscriptions table. */
    public static CreateTableRequest subscriptionsTableRequest(String table) {
        return CreateTableRequest.builder()
                .tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attr(SUB_PK), attr(SUB_SK))
                .keySchema(hash(SUB_PK), range(SUB_SK))
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder()
                        .indexName(SUB_BY_CHANNEL_INDEX)
                        .keySchema(hash(SUB_CHANNEL_PK), range(SUB_CHANNEL_SK))
                        .projection(Projection.builder()
                                .projectionType(ProjectionType.INCLUDE)
                                .nonKeyAttributes(BY_CHANNEL_PROJECTION)
                                .build())
                        .build())
                .build();
    }

    static Optional<String> tableNameProblem(String name) {
        if (name == null || name.isEmpty()) return Optional.of("table name is missing");
        if (!TABLE_NAME.matcher(name).matches()) {
            return Optional.of("'" + RegistryKeys.printable(name)
                    + "' is not a valid DynamoDB table name (3-255 characters of A-Z a-z 0-9 _ . -)");
        }
        return Optional.empty();
    }

    private static Optional<String> nameProblem(String what, String name) {
        return tableNameProblem(name).map(p -> what + ": " + p);
    }

    private static TableDescription waitActive(DynamoDbClient client, String table) {
        long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
        long delay = 50;
        while (true) {
            TableDescription d;
            try {
                d = client.describeTable(r -> r.tableName(table)).table();
            } catch (ResourceNotFoundException e) {
                d = null; // eventually consistent right after CreateTable on AWS
            }
            if (d != null
                    && d.tableStatus() == TableStatus.ACTIVE
                    && d.globalSecondaryIndexes().stream().allMatch(i -> i.indexStatus() == IndexStatus.ACTIVE)) {
                return d;
            }
            if (System.nanoTime() > deadline) {
                throw new RegistryUnavailableException(
                        "table '" + table + "' did not become ACTIVE within " + ACTIVE_TIMEOUT.toSeconds()
                                + " s (status " + (d == null ? "not found" : d.tableStatus()) + ")",
                        null);
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted while waiting for table '" + table + "'", e);
            }
            delay = Math.min(1000, delay * 2);
        }
    }

    /** An existing table must have the key schema and index the registry queries. */
    private static void check(CreateTableRequest want, TableDescription have) {
        String table = want.tableName();
        if (!keys(want.keySchema()).equals(keys(have.keySchema()))) {
            throw new IllegalStateException(
                    "table '" + table + "' exists with key " + keys(have.keySchema()) + " but the registry needs "
                            + keys(want.keySchema()) + "; use other table names or delete the table");
        }
        GlobalSecondaryIndex wantIndex = want.globalSecondaryIndexes().get(0);
        GlobalSecondaryIndexDescription haveIndex = have.globalSecondaryIndexes().stream()
                .filter(i -> i.indexName().equals(wantIndex.indexName()))
                .findFirst()
                .orElse(null);
        if (haveIndex == null) {
            throw new IllegalStateException("table '" + table + "' exists without the index '" + wantIndex.indexName()
                    + "' the registry queries; " + "use other table names or delete the table");
        }
        if (!keys(wantIndex.keySchema()).equals(keys(haveIndex.keySchema()))) {
            throw new IllegalStateException("index '" + wantIndex.indexName() + "' of table '" + table + "' has key "
                    + keys(haveIndex.keySchema()) + " but the registry needs " + keys(wantIndex.keySchema()));
        }
        Projection p = haveIndex.projection();
        boolean projects = p != null
                && (p.projectionType() == ProjectionType.ALL
                        || (wantIndex.projection().projectionType() == ProjectionType.INCLUDE
                                && p.projectionType() == ProjectionType.INCLUDE
                                && p.nonKeyAttributes()
                                        .containsAll(wantIndex.projection().nonKeyAttributes())));
        if (!projects) {
            throw new IllegalStateException(
                    "index '" + wantIndex.indexName() + "' of table '" + table + "' projects " + p
                            + " but the registry reads "
                            + (wantIndex.projection().projectionType() == ProjectionType.ALL
                                    ? "ALL attributes"
                                    : wantIndex.projection().nonKeyAttributes()));
        }
    }

    private static String enableTtl(DynamoDbClient client, String table) {
        try {
            var d = client.describeTimeToLive(r -> r.tableName(table)).timeToLiveDescription();
            TimeToLiveStatus s = d == null ? null : d.timeToLiveStatus();
            if (s == TimeToLiveStatus.ENABLED || s == TimeToLiveStatus.ENABLING) {
                if (!EXPIRES_AT.equals(d.attributeName())) {
                    throw new IllegalStateException("table '" + table + "' has TTL on '" + d.attributeName()
                            + "', the registry writes '" + EXPIRES_AT + "'");
                }
                return s.toString();
            }
            client.updateTimeToLive(r -> r.tableName(table)
                    .timeToLiveSpecification(t -> t.attributeName(EXPIRES_AT).enabled(true)));
            return TimeToLiveStatus.ENABLING.toString();
        } catch (AwsServiceException e) {
            if (unsupported(e)) return "UNSUPPORTED";
            throw e;
        }
    }

    /** dynalite answers UnknownOperationException to UpdateTimeToLive; expired items are filtered on read anyway. */
    private static boolean unsupported(AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
        return "UnknownOperationException".equals(code);
    }

    private static AttributeDefinition attr(String name) {
        return AttributeDefinition.builder()
                .attributeName(name)
                .attributeType(ScalarAttributeType.S)
                .build();
    }

    private static KeySchemaElement hash(String name) {
        return KeySchemaElement.builder()
                .attributeName(name)
                .keyType(KeyType.HASH)
                .build();
    }

    private static KeySchemaElement range(String name) {
        return KeySchemaElement.builder()
                .attributeName(name)
                .keyType(KeyType.RANGE)
                .build();
    }

    private static String keys(List<KeySchemaElement> schema) {
        return schema.stream()
                .map(k -> k.attributeName() + " " + k.keyType())
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
