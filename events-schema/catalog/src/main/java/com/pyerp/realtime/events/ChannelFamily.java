package com.pyerp.realtime.events;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A family of channels sharing one template and one access rule, e.g. {@code inventory.warehouse.{warehouseId}}.
 *
 * <p>Access rule, all parts must hold:
 * <ul>
 *   <li>{@code roles}: when not empty, the subscriber needs at least one of them;</li>
 *   <li>{@code scope}: the value of template parameter {@code param} must be listed in the token claim
 *       {@code claim} (or the claim lists {@code *}); a scope with a claim and no param is for channels that
 *       span the whole scope (e.g. one SKU in every warehouse): the claim must list {@code *};</li>
 *   <li>{@code owner}: the value of template parameter {@code owner} must equal the subscriber's user id.</li>
 * </ul>
 */
public record ChannelFamily(
        String pattern,
        List<String> roles,
        String scopeParam,
        String scopeClaim,
        String ownerParam,
        String description,
        History history,
        Presence presence,
        Publish publish) {

    /**
     * The catalog's {@code presence} of a family: who is on a channel (per user, not per tab), asked with the
     * {@code presence} action and announced with {@code join}/{@code leave} frames (docs/protocol.md, "Presence").
     * A member shows its {@code userId} and how many connections it has on the channel, nothing from its token.
     */
    public record Presence() {}

    /**
     * The catalog's {@code publish} of a family: clients may publish short messages to the other subscribers of a
     * channel (collaborative rooms, docs/protocol.md "Client publish").
     *
     * @param roles         the publisher needs one of them (besides being allowed to subscribe)
     * @param maxBytes      the largest {@code data} (UTF-8 JSON) a client may publish
     * @param ratePerSecond messages one connection may publish per second on one channel
     * @param schemaPath    optional JSON Schema (draft-04) of {@code data}, relative to the catalog; null = any object
     * @param schema        the compiled schema, or null
     */
    public record Publish(
            List<String> roles,
            int maxBytes,
            int ratePerSecond,
            String schemaPath,
            Lazy<com.networknt.schema.Schema> schema) {
        public static final int MAX_BYTES = 16 * 1024;

        /** Compiles the schema now, if there is one (the catalog checks, SnapStart priming). */
        void compile() {
            if (schema != null) schema.get();
        }

        public Publish {
            roles = List.copyOf(roles);
            if (roles.isEmpty()) throw new CatalogException("publish.roles must name at least one role");
            if (maxBytes < 1 || maxBytes > MAX_BYTES)
                throw new CatalogException("publish.maxBytes must be between 1 and " + MAX_BYTES + ", got " + maxBytes);
            if (ratePerSecond < 1) throw new CatalogException("publish.ratePerSecond must be positive");
        }

        /** The schema violations of {@code data}, empty when it is valid (or there is no schema). */
        public List<String> validate(tools.jackson.databind.JsonNode data) {
            return schema == null ? List.of() : Schemas.messages(schema.get().validate(data));
        }
    }

    /** A family with history only (no presence, no client publish). */
    public ChannelFamily(
            String pattern,
            List<String> roles,
            String scopeParam,
            String scopeClaim,
            String ownerParam,
            String description,
            History history) {
        this(pattern, roles, scopeParam, scopeClaim, ownerParam, description, history, null, null);
    }

    /** The family's presence, when enabled. */
    public Optional<Presence> presencePolicy() {
        return Optional.ofNullable(presence);
    }

    /** The family's client publish rules, when clients may publish. */
    public Optional<Publish> publishPolicy() {
        return Optional.ofNullable(publish);
    }

    /**
     * The catalog's {@code history} of a family: every event delivered on one of its channels is kept, numbered by
     * a per-channel offset, so a client that reconnects can recover what it missed (docs/protocol.md, "Recovery").
     *
     * @param size       how many of the latest events of a channel can be recovered (1-1000)
     * @param ttlSeconds how long an event stays recoverable (DynamoDB TTL, filtered on read)
     */
    public record History(int size, long ttlSeconds) {
        public static final int MAX_SIZE = 1000;

        public History {
            if (size < 1 || size > MAX_SIZE)
                throw new CatalogException("history.size must be between 1 and " + MAX_SIZE + ", got " + size);
            if (ttlSeconds < 1) throw new CatalogException("history.ttlSeconds must be positive, got " + ttlSeconds);
        }
    }

    /** A family without history. */
    public ChannelFamily(
            String pattern,
            List<String> roles,
            String scopeParam,
            String scopeClaim,
            String ownerParam,
            String description) {
        this(pattern, roles, scopeParam, scopeClaim, ownerParam, description, null);
    }

    /** The family's history, when its channels keep one. */
    public Optional<History> historyPolicy() {
        return Optional.ofNullable(history);
    }

    public ChannelFamily {
        roles = List.copyOf(roles);
        if (scopeParam != null && scopeClaim == null) {
            throw new CatalogException("channel family " + pattern + ": scope needs a claim");
        }
        List<String> params = Templates.params(pattern);
        if (scopeParam != null && !params.contains(scopeParam)) {
            throw new CatalogException(
                    "channel family " + pattern + ": scope param " + scopeParam + " is not in the template");
        }
        if (ownerParam != null && !params.contains(ownerParam)) {
            throw new CatalogException(
                    "channel family " + pattern + ": owner param " + ownerParam + " is not in the template");
        }
    }

    /** The template's parameter values when {@code channel} belongs to this family. */
    public Optional<Map<String, String>> match(String channel) {
        String[] want = pattern.split("\\.");
        String[] got = channel.split("\\.", -1);
        if (want.length != got.length) return Optional.empty();
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < want.length; i++) {
            if (Templates.isParam(want[i])) {
                if (!ChannelNames.isValidSegment(got[i])) return Optional.empty();
                params.put(Templates.paramName(want[i]), got[i]);
            } else if (!want[i].equals(got[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    /** Whether a subscriber with these facts may subscribe to the channel whose parameters are given. */
    public boolean permits(
            Map<String, String> params, String userId, Set<String> userRoles, Map<String, Set<String>> scopes) {
        if (!roles.isEmpty() && roles.stream().noneMatch(userRoles::contains)) return false;
        if (scopeClaim != null) {
            Set<String> allowed = scopes.getOrDefault(scopeClaim, Set.of());
            if (!allowed.contains("*") && (scopeParam == null || !allowed.contains(params.get(scopeParam))))
                return false;
        }
        if (ownerParam != null && !params.get(ownerParam).equals(userId)) return false;
        return true;
    }
}
