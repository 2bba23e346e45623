package com.pyerp.realtime.core.auth;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Who is on a connection, as established by the authorizer from the JWT.
 *
 * <p>API Gateway only carries string, number and boolean values in an authorizer context, so
 * {@link #toContext()} flattens sets into comma-separated strings and {@link #fromContext} reads them back.
 *
 * @param userId the token's {@code sub}
 * @param tenant the token's {@code tenant} claim
 * @param roles  the token's {@code roles} claim, e.g. {@code inventory:read}
 * @param scopes data scopes by claim name, e.g. {@code warehouses -> {WH-1, WH-2}} ({@code *} = all)
 * @param tokenExpiresAt the token's {@code exp} (whole seconds), or null when unknown: the connection ends with it
 *     unless the client sends {@code refresh} (see docs/protocol.md, "Token lifetime")
 */
public record Principal(
        String userId, String tenant, Set<String> roles, Map<String, Set<String>> scopes, Instant tokenExpiresAt) {
    /** The token claims copied into scopes. */
    public static final Set<String> SCOPE_CLAIMS = Set.of("warehouses");

    static final String CTX_USER = "userId";
    static final String CTX_TENANT = "tenant";
    static final String CTX_ROLES = "roles";
    static final String CTX_SCOPE_PREFIX = "scope.";
    /** The token's exp in epoch seconds (a number in the authorizer context). */
    static final String CTX_TOKEN_EXP = "tokenExp";

    /** Without a known token expiry. */
    public Principal(String userId, String tenant, Set<String> roles, Map<String, Set<String>> scopes) {
        this(userId, tenant, roles, scopes, null);
    }

    /** The same principal with another token expiry (after a {@code refresh}). */
    public Principal withTokenExpiresAt(Instant exp) {
        return new Principal(userId, tenant, roles, scopes, exp);
    }

    public Principal {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(tenant, "tenant");
        roles = Set.copyOf(roles);
        Map<String, Set<String>> copy = new TreeMap<>();
        scopes.forEach((k, v) -> copy.put(k, Set.copyOf(v)));
        scopes = Map.copyOf(copy);
    }

    /** The authorizer context API Gateway passes to every later route of the connection. */
    public Map<String, Object> toContext() {
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put(CTX_USER, userId);
        ctx.put(CTX_TENANT, tenant);
        ctx.put(CTX_ROLES, String.join(",", new TreeSet<>(roles)));
        scopes.forEach((k, v) -> ctx.put(CTX_SCOPE_PREFIX + k, String.join(",", new TreeSet<>(v))));
        if (tokenExpiresAt != null) ctx.put(CTX_TOKEN_EXP, tokenExpiresAt.getEpochSecond());
        return ctx;
    }

    /**
     * Reads back {@link #toContext()}. Returns null when the context lacks a user or tenant
     * (a route invoked without the authorizer, which the handlers refuse).
     */
    public static Principal fromContext(Map<String, ?> ctx) {
        if (ctx == null) return null;
        Object user = ctx.get(CTX_USER);
        Object tenant = ctx.get(CTX_TENANT);
        if (user == null
                || tenant == null
                || user.toString().isEmpty()
                || tenant.toString().isEmpty()) return null;
        Map<String, Set<String>> scopes = new TreeMap<>();
        ctx.forEach((k, v) -> {
            if (k.startsWith(CTX_SCOPE_PREFIX) && v != null)
                scopes.put(k.substring(CTX_SCOPE_PREFIX.length()), split(v.toString()));
        });
        return new Principal(
                user.toString(),
                tenant.toString(),
                split(String.valueOf(ctx.get(CTX_ROLES))),
                scopes,
                epochSeconds(ctx.get(CTX_TOKEN_EXP)));
    }

    private static Instant epochSeconds(Object v) {
        if (v == null) return null;
        try {
            return Instant.ofEpochSecond(
                    v instanceof Number n
                            ? n.longValue()
                            : Long.parseLong(v.toString().trim()));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Set<String> split(String csv) {
        if (csv == null || csv.isBlank() || csv.equals("null")) return Set.of();
        return Arrays.stream(csv.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
