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
        String description) {

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
