package com.pyerp.realtime.events;

import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The tenant rule, in one place. A connection's tenant is the token's {@value #CLAIM} claim; an event's tenant is its
 * detail's {@link EventCatalog#tenantField() tenantField} ({@code tenantId}); both must be a tenant id of {@value #RULE}
 * ({@link #PATTERN}). The token verifier, the registry's key checks, the dispatcher and the session function ask this
 * class; every event schema declares the same pattern for its tenant field ({@link CatalogVerifier} checks it, since a
 * schema must stay self-contained). There is no fallback tenant: a token or an event without a valid one is refused.
 *
 * <p>The rule is strict enough for every place a tenant goes: a channel key ({@code tenant/channel}, so no {@code /}),
 * the registry's {@code byUser} key ({@code tenant#user}, so no {@code #}) and the log.
 */
public final class Tenants {
    /** The JWT claim that names the connection's tenant. */
    public static final String CLAIM = "tenant";

    /** A tenant id, as a JSON Schema {@code pattern} (anchored), the same in every event schema. */
    public static final String PATTERN = "^[A-Za-z0-9_-]{1,64}$";

    /** The rule in words, for error messages. */
    public static final String RULE = "1-64 characters [A-Za-z0-9_-]";

    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private Tenants() {}

    /** True when {@code tenant} is a tenant id. Never throws. */
    public static boolean isValid(String tenant) {
        return tenant != null && COMPILED.matcher(tenant).matches();
    }

    /** The tenant of an event's detail (its {@code tenantField}), empty when it has none or not a valid one. */
    public static Optional<String> ofEvent(EventCatalog catalog, JsonNode detail) {
        JsonNode t = detail == null ? null : detail.get(catalog.tenantField());
        return t != null && t.isString() && isValid(t.asString()) ? Optional.of(t.asString()) : Optional.empty();
    }
}
