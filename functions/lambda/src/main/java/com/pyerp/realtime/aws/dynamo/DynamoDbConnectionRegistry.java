package com.pyerp.realtime.aws.dynamo;

import static com.pyerp.realtime.core.registry.RegistrySchema.CONN_BY_USER_INDEX;
import static com.pyerp.realtime.core.registry.RegistrySchema.CONN_PK;
import static com.pyerp.realtime.core.registry.RegistrySchema.CONN_USER_KEY;
import static com.pyerp.realtime.core.registry.RegistrySchema.EXPIRES_AT;
import static com.pyerp.realtime.core.registry.RegistrySchema.ROLES;
import static com.pyerp.realtime.core.registry.RegistrySchema.SUB_BY_CHANNEL_INDEX;
import static com.pyerp.realtime.core.registry.RegistrySchema.SUB_CHANNEL_PK;
import static com.pyerp.realtime.core.registry.RegistrySchema.SUB_PK;
import static com.pyerp.realtime.core.registry.RegistrySchema.SUB_SK;
import static com.pyerp.realtime.core.registry.RegistrySchema.USER_ID;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.ConnectionGoneException;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.RegistryKeys;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import com.pyerp.realtime.core.registry.Subscriber;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The registry in DynamoDB (table design: functions/README-registry.md, names: RegistrySchema).
 *
 * <p>Only single-item writes, no transactions (dynalite has none, and they cost double). Subscribe and remove
 * cannot leave an orphaned subscription even when they race, because they check in opposite orders:
 * <ul>
 *   <li>{@link #subscribe}: read the connection, write the subscription, <em>then read the connection again</em>;
 *       if it has gone meanwhile, delete the subscription just written and throw {@link ConnectionGoneException}.</li>
 *   <li>{@link #remove}: delete the connection <em>first</em>, then query (strongly consistent) and delete its
 *       subscriptions.</li>
 * </ul>
 * Either the subscriber's second read still sees the connection, so its write came before the connection's
 * delete and remove's later query finds it; or the read sees the connection gone, and the subscriber deletes
 * its own write. Both deletes are idempotent.
 *
 * <p>Expiry is filtered on every read (TTL deletion lags up to 48 h), to the second: the expiry attribute is
 * epoch seconds, rounded up from {@link Connection#expiresAt()}; {@code connectedAt} is kept to the millisecond.
 *
 * <p>Reads through the byChannel index are eventually consistent (DynamoDB has no consistent index reads): a
 * subscription made a few milliseconds before a broadcast may miss it. Reads by connection id are consistent.
 */
public final class DynamoDbConnectionRegistry implements ConnectionRegistry, AutoCloseable {
    private final DynamoDbClient client;
    private final boolean ownsClient;
    private final String connectionsTable;
    private final String subscriptionsTable;
    private final Integer pageSize;
    private final int batchMaxAttempts;
    private final Duration batchBackoffBase;
    private final Duration batchBackoffMax;
    private final Optional<URI> endpoint;

    private DynamoDbConnectionRegistry(Builder b) {
        this.client = b.client;
        this.ownsClient = b.ownsClient;
        this.connectionsTable = b.connectionsTable;
        this.subscriptionsTable = b.subscriptionsTable;
        this.pageSize = b.pageSize;
        this.batchMaxAttempts = b.batchMaxAttempts;
        this.batchBackoffBase = b.batchBackoffBase;
        this.batchBackoffMax = b.batchBackoffMax;
        this.endpoint = client.serviceClientConfiguration().endpointOverride();
    }

    /**
     * The registry of a Lambda function or the local gateway: tables {@code CONNECTIONS_TABLE} and
     * {@code SUBSCRIPTIONS_TABLE}, client from {@link DynamoDbClients#fromEnv} (region, endpoint override
     * {@code AWS_ENDPOINT_URL_DYNAMODB}, credentials). Build once per container, outside the handler method.
     */
    public static DynamoDbConnectionRegistry fromEnv(RealtimeEnv env) {
        Builder b = builder().client(DynamoDbClients.fromEnv(env));
        b.ownsClient = true;
        return b.connectionsTable(env.connectionsTable())
                .subscriptionsTable(env.subscriptionsTable())
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public DynamoDbClient client() {
        return client;
    }

    /** Closes the client when this registry built it ({@link #fromEnv}); a client passed to the builder stays open. */
    @Override
    public void close() {
        if (ownsClient) client.close();
    }

    @Override
    public void register(Connection c) {
        Objects.requireNonNull(c, "connection");
        RegistryKeys.connectionId(c.connectionId());
        RegistryKeys.principal(c.principal());
        call(
                "PutItem",
                connectionsTable,
                () -> client.putItem(r -> r.tableName(connectionsTable).item(RegistryItems.connectionItem(c))));
    }

    @Override
    public Optional<Connection> find(String connectionId, Instant now) {
        RegistryKeys.connectionId(connectionId);
        Objects.requireNonNull(now, "now");
        Map<String, AttributeValue> item = getConnection(connectionId);
        if (item == null || !RegistryItems.live(item, now)) return Optional.empty();
        return Optional.of(RegistryItems.connection(item, connectionsTable));
    }

    @Override
    public boolean subscribe(String connectionId, String channelKey, Instant now) {
        RegistryKeys.connectionId(connectionId);
        RegistryKeys.channelKey(channelKey);
        Objects.requireNonNull(now, "now");
        Map<String, AttributeValue> conn = getConnection(connectionId, USER_ID, ROLES, EXPIRES_AT);
        if (conn == null || !RegistryItems.live(conn, now)) throw new ConnectionGoneException(connectionId);
        if (!conn.containsKey(USER_ID) || conn.get(USER_ID).s() == null) {
            throw new RegistryUnavailableException(
                    "unreadable item in DynamoDB table '" + connectionsTable + "' (connectionId " + connectionId
                            + "): attribute " + USER_ID + " is missing",
                    null);
        }

        Map<String, AttributeValue> item = RegistryItems.subscriptionItem(
                connectionId,
                channelKey,
                conn.get(USER_ID).s(),
                RegistryItems.roles(conn),
                Long.parseLong(conn.get(EXPIRES_AT).n()));
        Map<String, AttributeValue> old = call(
                        "PutItem",
                        subscriptionsTable,
                        () -> client.putItem(
                                r -> r.tableName(subscriptionsTable).item(item).returnValues(ReturnValue.ALL_OLD)))
                .attributes();

        // the second read closes the race with remove(): see the class comment
        Map<String, AttributeValue> again = getConnection(connectionId, EXPIRES_AT);
        if (again == null || !RegistryItems.live(again, now)) {
            deleteSubscription(connectionId, channelKey);
            throw new ConnectionGoneException(connectionId);
        }
        return old == null || old.isEmpty() || !RegistryItems.live(old, now);
    }

    @Override
    public boolean unsubscribe(String connectionId, String channelKey) {
        RegistryKeys.connectionId(connectionId);
        RegistryKeys.channelKey(channelKey);
        Map<String, AttributeValue> old = deleteSubscription(connectionId, channelKey);
        return old != null && !old.isEmpty();
    }

    @Override
    public void remove(String connectionId) {
        RegistryKeys.connectionId(connectionId);
        // the connection first, so a racing subscribe sees it gone (class comment)
        call(
                "DeleteItem",
                connectionsTable,
                () -> client.deleteItem(
                        r -> r.tableName(connectionsTable).key(Map.of(CONN_PK, RegistryItems.s(connectionId)))));
        QueryRequest.Builder q = QueryRequest.builder()
                .tableName(subscriptionsTable)
                .keyConditionExpression("#pk = :pk")
                .expressionAttributeNames(Map.of("#pk", SUB_PK, "#sk", SUB_SK))
                .expressionAttributeValues(Map.of(":pk", RegistryItems.s(connectionId)))
                .projectionExpression("#pk, #sk")
                .consistentRead(true);
        List<WriteRequest> batch = new ArrayList<>(25);
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest req = q.exclusiveStartKey(start).build();
            QueryResponse page = call("Query", subscriptionsTable, () -> client.query(req));
            for (Map<String, AttributeValue> key : page.items()) {
                batch.add(WriteRequest.builder()
                        .deleteRequest(DeleteRequest.builder().key(key).build())
                        .build());
                if (batch.size() == 25) {
                    deleteBatch(batch);
                    batch = new ArrayList<>(25);
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        if (!batch.isEmpty()) deleteBatch(batch);
    }

    @Override
    public List<String> channelsOf(String connectionId, Instant now) {
        RegistryKeys.connectionId(connectionId);
        Objects.requireNonNull(now, "now");
        QueryRequest.Builder q = QueryRequest.builder()
                .tableName(subscriptionsTable)
                .keyConditionExpression("#pk = :pk")
                .filterExpression("#exp > :now")
                .expressionAttributeNames(Map.of("#pk", SUB_PK, "#sk", SUB_SK, "#exp", EXPIRES_AT))
                .expressionAttributeValues(Map.of(":pk", RegistryItems.s(connectionId), ":now", nowValue(now)))
                .projectionExpression("#sk, #exp")
                .consistentRead(true);
        List<String> out = new ArrayList<>();
        pages(q, subscriptionsTable).forEachRemaining(item -> {
            if (RegistryItems.live(item, now)) out.add(item.get(SUB_SK).s());
        });
        return out;
    }

    /**
     * Streams the channel's live subscribers through the byChannel index, one Query page at a time: the next page
     * is fetched only when the stream reaches it. A failure while streaming throws
     * {@link RegistryUnavailableException} from the stream operation.
     */
    @Override
    public Stream<Subscriber> subscribers(String channelKey, Instant now) {
        RegistryKeys.channelKey(channelKey);
        Objects.requireNonNull(now, "now");
        QueryRequest.Builder q = QueryRequest.builder()
                .tableName(subscriptionsTable)
                .indexName(SUB_BY_CHANNEL_INDEX)
                .keyConditionExpression("#ck = :ck")
                .filterExpression("#exp > :now")
                .expressionAttributeNames(Map.of("#ck", SUB_CHANNEL_PK, "#exp", EXPIRES_AT))
                .expressionAttributeValues(Map.of(":ck", RegistryItems.s(channelKey), ":now", nowValue(now)))
                .limit(pageSize);
        Iterator<Map<String, AttributeValue>> items = pages(q, subscriptionsTable);
        Iterator<Subscriber> subs = new Iterator<>() {
            private Subscriber next;

            @Override
            public boolean hasNext() {
                while (next == null && items.hasNext()) {
                    Map<String, AttributeValue> item = items.next();
                    if (RegistryItems.live(item, now)) next = RegistryItems.subscriber(item, subscriptionsTable);
                }
                return next != null;
            }

            @Override
            public Subscriber next() {
                if (!hasNext()) throw new NoSuchElementException();
                Subscriber s = next;
                next = null;
                return s;
            }
        };
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(subs, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    @Override
    public List<Connection> connectionsOf(String tenant, String userId, Instant now) {
        RegistryKeys.tenant(tenant);
        RegistryKeys.userId(userId);
        Objects.requireNonNull(now, "now");
        QueryRequest.Builder q = QueryRequest.builder()
                .tableName(connectionsTable)
                .indexName(CONN_BY_USER_INDEX)
                .keyConditionExpression("#uk = :uk")
                .filterExpression("#exp > :now")
                .expressionAttributeNames(Map.of("#uk", CONN_USER_KEY, "#exp", EXPIRES_AT))
                .expressionAttributeValues(
                        Map.of(":uk", RegistryItems.s(RegistryItems.userKey(tenant, userId)), ":now", nowValue(now)));
        List<Connection> out = new ArrayList<>();
        pages(q, connectionsTable).forEachRemaining(item -> {
            if (RegistryItems.live(item, now)) out.add(RegistryItems.connection(item, connectionsTable));
        });
        return out;
    }

    @Override
    public void extendSession(String connectionId, Instant tokenExpiresAt, Instant now) {
        RegistryKeys.connectionId(connectionId);
        Objects.requireNonNull(tokenExpiresAt, "tokenExpiresAt");
        try {
            client.updateItem(r -> r.tableName(connectionsTable)
                    .key(Map.of(CONN_PK, RegistryItems.s(connectionId)))
                    .updateExpression("SET #t = :t")
                    .conditionExpression("attribute_exists(#pk) AND #exp > :now")
                    .expressionAttributeNames(Map.of(
                            "#t",
                            com.pyerp.realtime.core.registry.RegistrySchema.TOKEN_EXPIRES_AT,
                            "#pk",
                            CONN_PK,
                            "#exp",
                            EXPIRES_AT))
                    .expressionAttributeValues(
                            Map.of(":t", RegistryItems.n(tokenExpiresAt.getEpochSecond()), ":now", nowValue(now))));
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            throw new ConnectionGoneException(connectionId);
        } catch (SdkException e) {
            throw DynamoErrors.translate("UpdateItem", connectionsTable, endpoint, e);
        }
    }

    /** A Scan of the connections table, filtered on the token expiry: for the scheduled session sweep only. */
    @Override
    public List<Connection> expiredSessions(Instant cutoff, Instant now) {
        Objects.requireNonNull(cutoff, "cutoff");
        List<Connection> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var page = call(
                    "Scan",
                    connectionsTable,
                    () -> client.scan(r -> r.tableName(connectionsTable)
                            .filterExpression("#t < :cutoff AND #exp > :now")
                            .expressionAttributeNames(Map.of(
                                    "#t",
                                    com.pyerp.realtime.core.registry.RegistrySchema.TOKEN_EXPIRES_AT,
                                    "#exp",
                                    EXPIRES_AT))
                            .expressionAttributeValues(
                                    Map.of(":cutoff", RegistryItems.n(cutoff.getEpochSecond()), ":now", nowValue(now)))
                            .exclusiveStartKey(from)));
            for (Map<String, AttributeValue> item : page.items()) {
                if (RegistryItems.live(item, now)) out.add(RegistryItems.connection(item, connectionsTable));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    /**
     * The budget lives on the connection item as two attributes per bucket ({@code rw#bucket}: the window, {@code
     * rc#bucket}: the uses in it): count up while in the window and under the limit, else start the window if it is
     * a later one; both conditional UpdateItems, so concurrent instances never exceed the limit. The item must
     * exist, so a removed connection has no budget.
     */
    @Override
    public boolean tryAcquire(String connectionId, String bucket, int limit, Duration window, Instant now) {
        RegistryKeys.connectionId(connectionId);
        if (bucket == null || bucket.isEmpty() || bucket.length() > 256)
            throw new IllegalArgumentException("bucket must have 1-256 characters");
        long w = now.getEpochSecond() / Math.max(1, window.toSeconds());
        Map<String, String> names = Map.of("#pk", CONN_PK, "#w", "rw#" + bucket, "#c", "rc#" + bucket);
        Map<String, AttributeValue> key = Map.of(CONN_PK, RegistryItems.s(connectionId));
        try {
            call(
                    "UpdateItem",
                    connectionsTable,
                    () -> client.updateItem(r -> r.tableName(connectionsTable)
                            .key(key)
                            .updateExpression("SET #c = #c + :one")
                            .conditionExpression("attribute_exists(#pk) AND #w = :w AND #c < :limit")
                            .expressionAttributeNames(names)
                            .expressionAttributeValues(Map.of(
                                    ":one", RegistryItems.n(1),
                                    ":w", RegistryItems.n(w),
                                    ":limit", RegistryItems.n(limit)))));
            return true;
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException inOtherWindow) {
            // a later window (or none yet) starts at one use; the current one at its limit stays refused
        }
        try {
            call(
                    "UpdateItem",
                    connectionsTable,
                    () -> client.updateItem(r -> r.tableName(connectionsTable)
                            .key(key)
                            .updateExpression("SET #w = :w, #c = :one")
                            .conditionExpression("attribute_exists(#pk) AND (attribute_not_exists(#w) OR #w < :w)")
                            .expressionAttributeNames(names)
                            .expressionAttributeValues(
                                    Map.of(":one", RegistryItems.n(limit > 0 ? 1 : 0), ":w", RegistryItems.n(w)))));
            return limit > 0;
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException spent) {
            return false;
        }
    }

    // ---- internals

    /** The connection item (strongly consistent), only the named attributes when some are given; null when absent. */
    private Map<String, AttributeValue> getConnection(String connectionId, String... attributes) {
        GetItemResponse r = call(
                "GetItem",
                connectionsTable,
                () -> client.getItem(g -> {
                    g.tableName(connectionsTable)
                            .key(Map.of(CONN_PK, RegistryItems.s(connectionId)))
                            .consistentRead(true);
                    if (attributes.length > 0) {
                        Map<String, String> names = new java.util.LinkedHashMap<>();
                        for (int i = 0; i < attributes.length; i++) names.put("#a" + i, attributes[i]);
                        g.projectionExpression(String.join(", ", names.keySet()))
                                .expressionAttributeNames(names);
                    }
                }));
        return r.hasItem() && !r.item().isEmpty() ? r.item() : null;
    }

    private Map<String, AttributeValue> deleteSubscription(String connectionId, String channelKey) {
        return call(
                        "DeleteItem",
                        subscriptionsTable,
                        () -> client.deleteItem(r -> r.tableName(subscriptionsTable)
                                .key(Map.of(SUB_PK, RegistryItems.s(connectionId), SUB_SK, RegistryItems.s(channelKey)))
                                .returnValues(ReturnValue.ALL_OLD)))
                .attributes();
    }

    /** Deletes up to 25 keys, retrying UnprocessedItems with exponential backoff and full jitter. */
    private void deleteBatch(List<WriteRequest> requests) {
        List<WriteRequest> pending = requests;
        for (int attempt = 1; ; attempt++) {
            List<WriteRequest> send = pending;
            BatchWriteItemResponse r = call(
                    "BatchWriteItem",
                    subscriptionsTable,
                    () -> client.batchWriteItem(b -> b.requestItems(Map.of(subscriptionsTable, send))));
            List<WriteRequest> left = r.hasUnprocessedItems()
                    ? r.unprocessedItems().getOrDefault(subscriptionsTable, List.of())
                    : List.of();
            if (left.isEmpty()) return;
            if (attempt >= batchMaxAttempts) {
                throw new RegistryUnavailableException(
                        endpoint.map(u -> "DynamoDB at " + u).orElse("DynamoDB")
                                + " left " + left.size() + " of " + requests.size()
                                + " subscription deletes unprocessed in table '"
                                + subscriptionsTable + "' after " + attempt
                                + " BatchWriteItem attempts; remove() is idempotent: retry it"
                                + " (expiry hides the leftovers meanwhile)",
                        null);
            }
            pending = left;
            sleep(backoff(attempt));
        }
    }

    private Duration backoff(int attempt) {
        long cap = Math.min(batchBackoffMax.toMillis(), batchBackoffBase.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("interrupted while retrying unprocessed DynamoDB deletes", e);
        }
    }

    /** Items of a query, page by page, following LastEvaluatedKey; a page is fetched when the iterator needs it. */
    private Iterator<Map<String, AttributeValue>> pages(QueryRequest.Builder q, String table) {
        return new Iterator<>() {
            private Iterator<Map<String, AttributeValue>> current =
                    List.<Map<String, AttributeValue>>of().iterator();
            private Map<String, AttributeValue> start;
            private boolean last;

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && !last) {
                    QueryRequest req = q.exclusiveStartKey(start).build();
                    QueryResponse page = call("Query", table, () -> client.query(req));
                    current = page.items().iterator();
                    start = page.hasLastEvaluatedKey()
                                    && !page.lastEvaluatedKey().isEmpty()
                            ? page.lastEvaluatedKey()
                            : null;
                    last = start == null;
                }
                return current.hasNext();
            }

            @Override
            public Map<String, AttributeValue> next() {
                if (!hasNext()) throw new NoSuchElementException();
                return current.next();
            }
        };
    }

    private static AttributeValue nowValue(Instant now) {
        return RegistryItems.n(now.getEpochSecond()); // live when expiresAt > floor(now), i.e. now < expiresAt
    }

    private <T> T call(String operation, String table, Supplier<T> action) {
        try {
            return action.get();
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            throw e;
        } catch (SdkException e) {
            throw DynamoErrors.translate(operation, table, endpoint, e);
        }
    }

    /** Builder; {@link #build()} checks every required field. */
    public static final class Builder {
        private DynamoDbClient client;
        private boolean ownsClient;
        private String connectionsTable;
        private String subscriptionsTable;
        private Integer pageSize;
        private int batchMaxAttempts = 8;
        private Duration batchBackoffBase = Duration.ofMillis(50);
        private Duration batchBackoffMax = Duration.ofSeconds(2);

        private Builder() {}

        public Builder client(DynamoDbClient v) {
            this.client = v;
            return this;
        }

        public Builder connectionsTable(String v) {
            this.connectionsTable = v;
            return this;
        }

        public Builder subscriptionsTable(String v) {
            this.subscriptionsTable = v;
            return this;
        }

        /** Items per channel Query page (the Query Limit); default none: DynamoDB's 1 MB pages. */
        public Builder pageSize(int v) {
            if (v < 1) throw new IllegalArgumentException("pageSize must be at least 1, got " + v);
            this.pageSize = v;
            return this;
        }

        /** BatchWriteItem attempts for UnprocessedItems in {@code remove} (default 8), and the backoff (50 ms doubling to 2 s, full jitter). */
        public Builder batchRetry(int maxAttempts, Duration base, Duration max) {
            if (maxAttempts < 1)
                throw new IllegalArgumentException("batch maxAttempts must be at least 1, got " + maxAttempts);
            this.batchMaxAttempts = maxAttempts;
            this.batchBackoffBase = Objects.requireNonNull(base, "base");
            this.batchBackoffMax = Objects.requireNonNull(max, "max");
            return this;
        }

        public DynamoDbConnectionRegistry build() {
            List<String> problems = new ArrayList<>();
            if (client == null) problems.add("client is not set");
            check("connectionsTable", connectionsTable, problems);
            check("subscriptionsTable", subscriptionsTable, problems);
            if (connectionsTable != null && connectionsTable.equals(subscriptionsTable)) {
                problems.add(
                        "connectionsTable and subscriptionsTable must differ, both are '" + connectionsTable + "'");
            }
            if (!problems.isEmpty())
                throw new IllegalArgumentException("DynamoDbConnectionRegistry: " + String.join("; ", problems));
            return new DynamoDbConnectionRegistry(this);
        }

        private static void check(String what, String name, List<String> problems) {
            if (name == null || name.isBlank()) problems.add(what + " is not set");
            else
                RegistryTableSetup.tableNameProblem(name)
                        .map(p -> what + ": " + p)
                        .ifPresent(problems::add);
        }
    }
}
