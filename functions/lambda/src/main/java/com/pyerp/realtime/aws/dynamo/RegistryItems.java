package com.pyerp.realtime.aws.dynamo;

import static com.pyerp.realtime.core.registry.RegistrySchema.CONNECTED_AT;
import static com.pyerp.realtime.core.registry.RegistrySchema.CONN_PK;
import static com.pyerp.realtime.core.registry.RegistrySchema.CONN_USER_KEY;
import static com.pyerp.realtime.core.registry.RegistrySchema.EXPIRES_AT;
import static com.pyerp.realtime.core.registry.RegistrySchema.ROLES;
import static com.pyerp.realtime.core.registry.RegistrySchema.SCOPES;
import static com.pyerp.realtime.core.registry.RegistrySchema.SUB_PK;
import static com.pyerp.realtime.core.registry.RegistrySchema.SUB_SK;
import static com.pyerp.realtime.core.registry.RegistrySchema.TENANT;
import static com.pyerp.realtime.core.registry.RegistrySchema.USER_ID;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import com.pyerp.realtime.core.registry.Subscriber;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The registry's items. Connection: {@code connectionId, userKey (tenant#userId), userId, tenant, roles (SS),
 * scopes (M of L), connectedAt (epoch ms), expiresAt (epoch s)}. Subscription: {@code connectionId, channelKey,
 * userId, roles (SS), expiresAt (epoch s)}: the subscriber's user and roles are copied in so the dispatcher's
 * index query needs no second read. Empty sets are left out (DynamoDB has no empty set).
 */
final class RegistryItems {
    private RegistryItems() {}

    static String userKey(String tenant, String userId) {
        return tenant + "#" + userId;
    }

    /** Expiry in whole epoch seconds (TTL's unit), rounded up so the item never expires before the connection. */
    static long expirySeconds(Instant expiresAt) {
        return expiresAt.getEpochSecond() + (expiresAt.getNano() > 0 ? 1 : 0);
    }

    /** True while {@code now} is before the item's expiry; an item without expiry counts as expired. */
    static boolean live(Map<String, AttributeValue> item, Instant now) {
        AttributeValue exp = item.get(EXPIRES_AT);
        if (exp == null || exp.n() == null) return false;
        return now.isBefore(Instant.ofEpochSecond(Long.parseLong(exp.n())));
    }

    static Map<String, AttributeValue> connectionItem(Connection c) {
        Principal p = c.principal();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(CONN_PK, s(c.connectionId()));
        item.put(CONN_USER_KEY, s(userKey(p.tenant(), p.userId())));
        item.put(USER_ID, s(p.userId()));
        item.put(TENANT, s(p.tenant()));
        if (!p.roles().isEmpty()) item.put(ROLES, AttributeValue.fromSs(List.copyOf(new TreeSet<>(p.roles()))));
        if (!p.scopes().isEmpty()) {
            Map<String, AttributeValue> scopes = new TreeMap<>();
            p.scopes()
                    .forEach((k, v) -> scopes.put(
                            k,
                            AttributeValue.fromL(new TreeSet<>(v)
                                    .stream().map(RegistryItems::s).toList())));
            item.put(SCOPES, AttributeValue.fromM(scopes));
        }
        item.put(CONNECTED_AT, n(c.connectedAt().toEpochMilli()));
        item.put(EXPIRES_AT, n(expirySeconds(c.expiresAt())));
        if (c.tokenExpiresAt() != null)
            item.put(
                    com.pyerp.realtime.core.registry.RegistrySchema.TOKEN_EXPIRES_AT,
                    n(c.tokenExpiresAt().getEpochSecond()));
        return item;
    }

    static Connection connection(Map<String, AttributeValue> item, String table) {
        try {
            Map<String, Set<String>> scopes = new TreeMap<>();
            AttributeValue sc = item.get(SCOPES);
            if (sc != null && sc.hasM()) {
                sc.m()
                        .forEach((k, v) -> scopes.put(
                                k,
                                Set.copyOf(v.l().stream().map(AttributeValue::s).toList())));
            }
            Principal p = new Principal(str(item, USER_ID), str(item, TENANT), roles(item), scopes);
            return new Connection(
                    str(item, CONN_PK),
                    p,
                    Instant.ofEpochMilli(Long.parseLong(num(item, CONNECTED_AT))),
                    Instant.ofEpochSecond(Long.parseLong(num(item, EXPIRES_AT))),
                    item.containsKey(com.pyerp.realtime.core.registry.RegistrySchema.TOKEN_EXPIRES_AT)
                            ? Instant.ofEpochSecond(Long.parseLong(
                                    num(item, com.pyerp.realtime.core.registry.RegistrySchema.TOKEN_EXPIRES_AT)))
                            : null);
        } catch (RuntimeException e) {
            throw corrupt(table, item, e);
        }
    }

    static Map<String, AttributeValue> subscriptionItem(
            String connectionId, String channelKey, String userId, Set<String> roles, long expiresAtSeconds) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(SUB_PK, s(connectionId));
        item.put(SUB_SK, s(channelKey));
        item.put(USER_ID, s(userId));
        if (!roles.isEmpty()) item.put(ROLES, AttributeValue.fromSs(List.copyOf(new TreeSet<>(roles))));
        item.put(EXPIRES_AT, n(expiresAtSeconds));
        return item;
    }

    static Subscriber subscriber(Map<String, AttributeValue> item, String table) {
        try {
            return new Subscriber(str(item, SUB_PK), str(item, USER_ID), roles(item));
        } catch (RuntimeException e) {
            throw corrupt(table, item, e);
        }
    }

    static Set<String> roles(Map<String, AttributeValue> item) {
        AttributeValue r = item.get(ROLES);
        return r == null || !r.hasSs() ? Set.of() : Set.copyOf(r.ss());
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        if (v == null || v.s() == null)
            throw new IllegalStateException("attribute " + name + " is missing or not a string");
        return v.s();
    }

    private static String num(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        if (v == null || v.n() == null)
            throw new IllegalStateException("attribute " + name + " is missing or not a number");
        return v.n();
    }

    private static RegistryUnavailableException corrupt(
            String table, Map<String, AttributeValue> item, RuntimeException e) {
        AttributeValue id = item.get(CONN_PK);
        return new RegistryUnavailableException(
                "unreadable item in DynamoDB table '" + table + "' (connectionId " + (id == null ? "missing" : id.s())
                        + "): " + e.getMessage(),
                e);
    }
}
