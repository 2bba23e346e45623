package com.pyerp.realtime.events;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a subscriber needs to receive an event on at least one of its channels. It follows from the access
 * rules of the channel families the event is delivered to ({@link #of}); {@code catalog.json} states it per
 * event ({@code permission}) for readers, and {@link EventCatalog#verify()} checks the two agree.
 *
 * <p>On top of this, a channel with a data scope (e.g. {@code inventory.warehouse.{warehouseId}}) also needs
 * the value in the token's scope claim; that is checked per channel by {@link ChannelFamily#permits}.
 *
 * @param anyRole       the subscriber needs at least one of these roles (on a channel whose family lists roles)
 * @param owner         the event reaches users on their own channel ({@code user.{userId}}) without any role
 * @param authenticated the event reaches every authenticated connection of the tenant (a family without any rule)
 */
public record Permission(Set<String> anyRole, boolean owner, boolean authenticated) {
    public Permission {
        anyRole = Set.copyOf(new TreeSet<>(anyRole));
    }

    /** The permission that follows from delivering an event on channels of these families. */
    public static Permission of(Collection<ChannelFamily> families) {
        Set<String> roles = new TreeSet<>();
        boolean owner = false;
        boolean everyone = false;
        for (ChannelFamily f : families) {
            if (f.ownerParam() != null) owner = true;
            else if (f.roles().isEmpty()) everyone = true;
            roles.addAll(f.roles());
        }
        return new Permission(roles, owner, everyone);
    }

    /** A short human form: {@code any of [inventory:read]}, {@code owner}, {@code authenticated}, joined with {@code or}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (!anyRole.isEmpty()) sb.append("any of ").append(new TreeSet<>(anyRole));
        if (owner) sb.append(sb.length() > 0 ? " or " : "").append("owner");
        if (authenticated) sb.append(sb.length() > 0 ? " or " : "").append("authenticated");
        return sb.toString();
    }
}
