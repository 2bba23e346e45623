package com.pyerp.realtime.core.presence;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.ChannelKey;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.ForwardingConnectionRegistry;
import com.pyerp.realtime.core.registry.Subscriber;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.Json;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import tools.jackson.databind.node.ObjectNode;

/**
 * Presence (docs/protocol.md, "Presence") as a layer over any {@link ConnectionRegistry}: every path that adds or
 * removes a subscription of a channel with presence goes through the registry (subscribe, unsubscribe,
 * {@code $disconnect}, the dispatcher's and the relays' 410 cleanup), so wrapping it announces {@code join} when a
 * user's first connection subscribes and {@code leave} when its last one goes, whoever removed it.
 *
 * <p>Per user, not per tab: a join checks the user's other connections <em>before</em> its write, a leave
 * <em>after</em> its delete, both with consistent reads of each connection's subscriptions. Two tabs racing can
 * therefore announce a user twice (clients treat a join of a known member, or a leave of an unknown one, as a
 * repeat), but never miss a join or a leave. The members list itself is always read from the live subscriptions
 * (expired connections filtered), so it is right even when a connection vanished without {@code $disconnect} and
 * no leave was announced (it expired unseen: its leave comes when a post finds it gone).
 */
public final class PresenceRegistry extends ForwardingConnectionRegistry {
    private static final JsonLog LOG = JsonLog.get(PresenceRegistry.class);

    private final java.util.function.Supplier<EventCatalog> catalog;
    private final ConnectionSender sender;
    private final Clock clock;

    public PresenceRegistry(ConnectionRegistry delegate, EventCatalog catalog, ConnectionSender sender, Clock clock) {
        this(delegate, constant(catalog), sender, clock);
    }

    private static java.util.function.Supplier<EventCatalog> constant(EventCatalog catalog) {
        java.util.Objects.requireNonNull(catalog, "catalog");
        return () -> catalog;
    }

    /** As above, with the catalog asked for at the first presence decision ({@code EventCatalog::load}). */
    public PresenceRegistry(
            ConnectionRegistry delegate,
            java.util.function.Supplier<EventCatalog> catalog,
            ConnectionSender sender,
            Clock clock) {
        super(delegate);
        this.catalog = catalog;
        this.sender = sender;
        this.clock = clock;
    }

    /** The members of a channel, one per user, sorted by user id. */
    public static List<Member> members(ConnectionRegistry registry, String channelKey, Instant now) {
        Map<String, Integer> byUser = new TreeMap<>();
        try (Stream<Subscriber> subs = registry.subscribers(channelKey, now)) {
            subs.forEach(s -> byUser.merge(s.userId(), 1, Integer::sum));
        }
        List<Member> out = new ArrayList<>();
        byUser.forEach((u, n) -> out.add(new Member(u, n)));
        return out;
    }

    /** The {@code join} or {@code leave} frame. */
    public static String frame(String type, String channel, Member member) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", type);
        n.put("channel", channel);
        ObjectNode m = n.putObject("member");
        m.put("userId", member.userId());
        m.put("connections", member.connections());
        return Json.mapper().writeValueAsString(n);
    }

    private boolean hasPresence(String channelKey) {
        return catalog.get()
                .matchChannel(ChannelKey.channel(channelKey))
                .flatMap(m -> m.family().presencePolicy())
                .isPresent();
    }

    /** How many other live connections of the user are subscribed to the channel (consistent reads). */
    private int otherConnections(Principal who, String channelKey, String exceptConnectionId, Instant now) {
        int n = 0;
        for (Connection c : delegate().connectionsOf(who.tenant(), who.userId(), now)) {
            if (c.connectionId().equals(exceptConnectionId)) continue;
            if (delegate().channelsOf(c.connectionId(), now).contains(channelKey)) n++;
        }
        return n;
    }

    private void announce(String type, String channelKey, Member member, String exceptConnectionId, Instant now) {
        String channel = ChannelKey.channel(channelKey);
        try {
            int delivered = ChannelBroadcast.send(
                    this, sender, channelKey, frame(type, channel, member), exceptConnectionId, now);
            LOG.info("presence " + type, "channel", channel, "userId", member.userId(), "delivered", delivered);
        } catch (RuntimeException e) {
            // the subscription change itself succeeded; a lost announcement is corrected by the members list
            LOG.error("presence announcement failed", e, "channel", channel, "type", type);
        }
    }

    @Override
    public boolean subscribe(String connectionId, String channelKey, Instant now) {
        if (!hasPresence(channelKey)) return delegate().subscribe(connectionId, channelKey, now);
        Optional<Connection> conn = delegate().find(connectionId, now);
        boolean alone = conn.isPresent()
                && !delegate().channelsOf(connectionId, now).contains(channelKey)
                && otherConnections(conn.get().principal(), channelKey, connectionId, now) == 0;
        boolean added = delegate().subscribe(connectionId, channelKey, now);
        if (added && alone)
            announce("join", channelKey, new Member(conn.get().principal().userId(), 1), connectionId, now);
        return added;
    }

    @Override
    public boolean unsubscribe(String connectionId, String channelKey) {
        if (!hasPresence(channelKey)) return delegate().unsubscribe(connectionId, channelKey);
        Instant now = clock.instant();
        Optional<Connection> conn = delegate().find(connectionId, now);
        boolean removed = delegate().unsubscribe(connectionId, channelKey);
        if (removed && conn.isPresent()) leaveIfLast(conn.get().principal(), channelKey, connectionId, now);
        return removed;
    }

    @Override
    public void remove(String connectionId) {
        Instant now = clock.instant();
        Optional<Connection> conn = delegate().find(connectionId, now);
        List<String> presenceChannels = conn.isEmpty()
                ? List.of()
                : delegate().channelsOf(connectionId, now).stream()
                        .filter(this::hasPresence)
                        .toList();
        delegate().remove(connectionId);
        for (String key : presenceChannels) leaveIfLast(conn.get().principal(), key, connectionId, now);
    }

    private void leaveIfLast(Principal who, String channelKey, String connectionId, Instant now) {
        if (otherConnections(who, channelKey, connectionId, now) == 0)
            announce("leave", channelKey, new Member(who.userId(), 0), connectionId, now);
    }
}
