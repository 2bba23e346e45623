package com.pyerp.realtime.aws.dynamo;

import static com.pyerp.realtime.core.registry.RegistrySchema.EXPIRES_AT;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_CORRELATION_ID;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_DETAIL;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_DETAIL_TYPE;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_EPOCH;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_EVENT_ID;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_PK;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_SK;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_SOURCE;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_TIME;
import static com.pyerp.realtime.core.registry.RegistrySchema.HISTORY_TOP;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.history.ChannelHistory;
import com.pyerp.realtime.core.history.Epochs;
import com.pyerp.realtime.core.history.Publication;
import com.pyerp.realtime.core.history.StreamPosition;
import com.pyerp.realtime.core.registry.RegistryKeys;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The channel history in DynamoDB (table layout: {@code RegistrySchema.HISTORY_*}, functions/README-registry.md).
 * One item per channel at offset 0 (epoch, top, expiry) and one per kept event at its offset, all with
 * {@code expiresAt} (TTL, filtered on read).
 *
 * <p>Single-item conditional writes only (dynalite has no transactions):
 * <ul>
 *   <li>{@link #position}: a consistent GetItem of the meta item; when absent or expired, a conditional PutItem
 *       starts a new epoch (the loser of a race reads the winner's).</li>
 *   <li>{@link #append}: claim offset {@code top + 1} with a PutItem conditioned on the slot being free (absent,
 *       expired, or of another epoch); when another dispatcher took it, try the next one. Then raise the meta's
 *       {@code top} and expiry with a conditional UpdateItem ({@code top < n}). Offsets are unique (the conditional
 *       put) and gap-free: the next claim is always the lowest free slot above a {@code top} that only ever names a
 *       taken slot. A crash between the two writes leaves {@code top} behind; the next append probes past it.</li>
 * </ul>
 * Cost per event and channel: one consistent read and two writes, plus one failed conditional write per collision.
 * The meta item's expiry is the latest append's, so when it expires every event of its epoch has expired too.
 */
public final class DynamoDbChannelHistory implements ChannelHistory {
    private static final AttributeValue META_OFFSET = RegistryItems.n(0);

    private final DynamoDbClient client;
    private final String table;
    private final Optional<URI> endpoint;

    public DynamoDbChannelHistory(DynamoDbClient client, String table) {
        this.client = Objects.requireNonNull(client, "client");
        RegistryTableSetup.tableNameProblem(table).ifPresent(p -> {
            throw new IllegalArgumentException("history table: " + p);
        });
        this.table = table;
        this.endpoint = client.serviceClientConfiguration().endpointOverride();
    }

    /** The history of a Lambda function or the local gateway: table {@code HISTORY_TABLE}, the registry's client. */
    public static DynamoDbChannelHistory fromEnv(RealtimeEnv env, DynamoDbClient client) {
        return new DynamoDbChannelHistory(client, env.historyTable());
    }

    public String table() {
        return table;
    }

    @Override
    public StreamPosition position(String channelKey, Instant now, Duration ttl) {
        RegistryKeys.channelKey(channelKey);
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(ttl, "ttl");
        for (int attempt = 0; attempt < 5; attempt++) {
            Map<String, AttributeValue> meta = call(
                            "GetItem",
                            () -> client.getItem(r -> r.tableName(table)
                                    .key(key(channelKey, META_OFFSET))
                                    .consistentRead(true)))
                    .item();
            if (meta != null && !meta.isEmpty() && RegistryItems.live(meta, now)) {
                return new StreamPosition(
                        Long.parseLong(meta.get(HISTORY_TOP).n()),
                        meta.get(HISTORY_EPOCH).s());
            }
            String epoch = Epochs.next();
            Map<String, AttributeValue> item = new HashMap<>(key(channelKey, META_OFFSET));
            item.put(HISTORY_EPOCH, RegistryItems.s(epoch));
            item.put(HISTORY_TOP, RegistryItems.n(0));
            item.put(EXPIRES_AT, expiry(now, ttl));
            try {
                call(
                        "PutItem",
                        () -> client.putItem(r -> r.tableName(table)
                                .item(item)
                                .conditionExpression("attribute_not_exists(#pk) OR #exp <= :now")
                                .expressionAttributeNames(Map.of("#pk", HISTORY_PK, "#exp", EXPIRES_AT))
                                .expressionAttributeValues(Map.of(":now", nowValue(now)))));
                return new StreamPosition(0, epoch);
            } catch (ConditionalCheckFailedException raced) {
                // another writer started the epoch first: read it
            }
        }
        throw new RegistryUnavailableException(
                "could not read or start the history of " + channelKey + " in table '" + table + "'", null);
    }

    @Override
    public Publication append(String channelKey, Publication draft, Instant now, Duration ttl) {
        Objects.requireNonNull(draft, "draft");
        StreamPosition pos = position(channelKey, now, ttl);
        AttributeValue exp = expiry(now, ttl);
        long n = pos.offset() + 1;
        for (int collisions = 0; ; collisions++) {
            Publication p = draft.numbered(n, pos.epoch());
            Map<String, AttributeValue> item = new HashMap<>(key(channelKey, RegistryItems.n(n)));
            item.put(HISTORY_EPOCH, RegistryItems.s(pos.epoch()));
            item.put(HISTORY_EVENT_ID, RegistryItems.s(p.eventId()));
            item.put(HISTORY_SOURCE, RegistryItems.s(p.source()));
            item.put(HISTORY_DETAIL_TYPE, RegistryItems.s(p.detailType()));
            item.put(HISTORY_TIME, RegistryItems.s(p.time()));
            item.put(HISTORY_CORRELATION_ID, RegistryItems.s(p.correlationId()));
            if (p.detail() != null) item.put(HISTORY_DETAIL, RegistryItems.s(p.detail()));
            item.put(EXPIRES_AT, exp);
            try {
                call(
                        "PutItem",
                        () -> client.putItem(r -> r.tableName(table)
                                .item(item)
                                .conditionExpression("attribute_not_exists(#pk) OR #exp <= :now OR #ep <> :ep")
                                .expressionAttributeNames(
                                        Map.of("#pk", HISTORY_PK, "#exp", EXPIRES_AT, "#ep", HISTORY_EPOCH))
                                .expressionAttributeValues(
                                        Map.of(":now", nowValue(now), ":ep", RegistryItems.s(pos.epoch())))));
            } catch (ConditionalCheckFailedException taken) {
                if (collisions > 10_000)
                    throw new RegistryUnavailableException(
                            "no free offset found for " + channelKey + " in table '" + table + "'", null);
                n++;
                continue;
            }
            raiseTop(channelKey, pos.epoch(), n, exp);
            return p;
        }
    }

    /** Raises the meta's top and expiry to this append's, unless another append already raised them further. */
    private void raiseTop(String channelKey, String epoch, long n, AttributeValue exp) {
        try {
            call(
                    "UpdateItem",
                    () -> client.updateItem(r -> r.tableName(table)
                            .key(key(channelKey, META_OFFSET))
                            .updateExpression("SET #top = :n, #exp = :exp")
                            .conditionExpression("#ep = :ep AND #top < :n")
                            .expressionAttributeNames(
                                    Map.of("#top", HISTORY_TOP, "#exp", EXPIRES_AT, "#ep", HISTORY_EPOCH))
                            .expressionAttributeValues(
                                    Map.of(":n", RegistryItems.n(n), ":exp", exp, ":ep", RegistryItems.s(epoch)))));
        } catch (ConditionalCheckFailedException further) {
            // a later append raised top already (and with it the expiry), or the epoch was reset meanwhile
        }
    }

    @Override
    public List<Publication> read(String channelKey, String epoch, long afterOffset, long upToOffset, Instant now) {
        RegistryKeys.channelKey(channelKey);
        Objects.requireNonNull(epoch, "epoch");
        List<Publication> out = new ArrayList<>();
        if (upToOffset <= afterOffset) return out;
        QueryRequest.Builder q = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expressionAttributeNames(Map.of("#pk", HISTORY_PK, "#sk", HISTORY_SK))
                .expressionAttributeValues(Map.of(
                        ":pk",
                        RegistryItems.s(channelKey),
                        ":from",
                        RegistryItems.n(afterOffset + 1),
                        ":to",
                        RegistryItems.n(upToOffset)))
                .consistentRead(true);
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest req = q.exclusiveStartKey(start).build();
            QueryResponse page = call("Query", () -> client.query(req));
            for (Map<String, AttributeValue> item : page.items()) {
                if (!RegistryItems.live(item, now)) continue;
                if (!item.containsKey(HISTORY_EPOCH)
                        || !epoch.equals(item.get(HISTORY_EPOCH).s())) continue;
                out.add(new Publication(
                        Long.parseLong(item.get(HISTORY_SK).n()),
                        epoch,
                        str(item, HISTORY_EVENT_ID),
                        str(item, HISTORY_SOURCE),
                        str(item, HISTORY_DETAIL_TYPE),
                        str(item, HISTORY_TIME),
                        str(item, HISTORY_CORRELATION_ID),
                        str(item, HISTORY_DETAIL)));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static Map<String, AttributeValue> key(String channelKey, AttributeValue offset) {
        return Map.of(HISTORY_PK, RegistryItems.s(channelKey), HISTORY_SK, offset);
    }

    /** Epoch seconds, rounded up, like the registry's expiry. */
    private static AttributeValue expiry(Instant now, Duration ttl) {
        Instant at = now.plus(ttl);
        long s = at.getEpochSecond() + (at.getNano() > 0 ? 1 : 0);
        return RegistryItems.n(s);
    }

    private static AttributeValue nowValue(Instant now) {
        return RegistryItems.n(now.getEpochSecond());
    }

    private <T> T call(String operation, Supplier<T> action) {
        try {
            return action.get();
        } catch (ConditionalCheckFailedException e) {
            throw e;
        } catch (SdkException e) {
            throw DynamoErrors.translate(operation, table, endpoint, e);
        }
    }
}
