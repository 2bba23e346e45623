package com.pyerp.realtime.core.service;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.channel.ChannelPolicy;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import com.pyerp.realtime.core.history.ChannelHistory;
import com.pyerp.realtime.core.history.InMemoryChannelHistory;
import com.pyerp.realtime.core.history.Publication;
import com.pyerp.realtime.core.history.Recovery;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.presence.ChannelBroadcast;
import com.pyerp.realtime.core.presence.PresenceRegistry;
import com.pyerp.realtime.core.protocol.ClientCommand;
import com.pyerp.realtime.core.protocol.ClientFrames;
import com.pyerp.realtime.core.protocol.ErrorCode;
import com.pyerp.realtime.core.protocol.ProtocolException;
import com.pyerp.realtime.core.protocol.ServerFrames;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.ConnectionGoneException;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import com.pyerp.realtime.events.Envelope;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.EventDefinition;
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.events.ProtocolLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The connection lifecycle and the client commands: the one executor every transport calls
 * (the Lambda handlers in the cloud, the same handlers in the local gateway).
 */
public final class ConnectionService {
    private static final JsonLog LOG = JsonLog.get(ConnectionService.class);
    /** The CloudWatch metric counting commands refused because the registry was unreachable. */
    public static final String REGISTRY_ERRORS_METRIC = "RegistryErrors";

    private final ConnectionRegistry registry;
    private final ChannelPolicy policy;
    private final Clock clock;
    private final Duration connectionTtl;
    private final int maxSubscriptions;
    /** Loaded at first use: connect and disconnect never need it, and parsing it costs a cold start Jackson's databind. */
    private final java.util.function.Supplier<EventCatalog> catalog;

    private final ChannelHistory history;
    private final ConnectionSender sender;

    /**
     * The most bytes of missed events one subscribe ack carries; more and the ack says {@code recovered: false}.
     * A reply is one WebSocket message ({@link ProtocolLimits#MAX_MESSAGE_BYTES}, 128 KB); 8 KB of it stay for the
     * ack's own fields (the publications are counted whole): 120 KB. A method, not a constant: reading the limits
     * loads the catalog's JSON, which the connect path must not pay for.
     */
    public static int maxRecoveryBytes() {
        return ProtocolLimits.MAX_MESSAGE_BYTES - 8 * 1024;
    }

    public ConnectionService(
            ConnectionRegistry registry,
            EventCatalog catalog,
            Clock clock,
            Duration connectionTtl,
            int maxSubscriptions) {
        this(registry, new InMemoryChannelHistory(), catalog, clock, connectionTtl, maxSubscriptions);
    }

    /** @param history the channels' history, shared with the dispatcher that appends to it */
    public ConnectionService(
            ConnectionRegistry registry,
            ChannelHistory history,
            EventCatalog catalog,
            Clock clock,
            Duration connectionTtl,
            int maxSubscriptions) {
        this(registry, history, null, catalog, clock, connectionTtl, maxSubscriptions);
    }

    /**
     * @param sender posts client messages to the other subscribers of a room (client publish); null: publish is
     *               refused with PUBLISH_FORBIDDEN
     */
    public ConnectionService(
            ConnectionRegistry registry,
            ChannelHistory history,
            ConnectionSender sender,
            EventCatalog catalog,
            Clock clock,
            Duration connectionTtl,
            int maxSubscriptions) {
        this(registry, history, sender, constant(catalog), clock, connectionTtl, maxSubscriptions);
    }

    /** As above, with the catalog loaded at its first use ({@code EventCatalog::load}). */
    public ConnectionService(
            ConnectionRegistry registry,
            ChannelHistory history,
            ConnectionSender sender,
            java.util.function.Supplier<EventCatalog> catalog,
            Clock clock,
            Duration connectionTtl,
            int maxSubscriptions) {
        this.sender = sender;
        this.catalog = catalog;
        this.history = history;
        this.registry = registry;
        this.policy = new ChannelPolicy(catalog);
        this.clock = clock;
        this.connectionTtl = connectionTtl;
        this.maxSubscriptions = maxSubscriptions;
    }

    private static java.util.function.Supplier<EventCatalog> constant(EventCatalog catalog) {
        java.util.Objects.requireNonNull(catalog, "catalog");
        return () -> catalog;
    }

    /** Token lifetime, refresh, rate and connection limits, revocation; null = none (tests of the bare commands). */
    private volatile com.pyerp.realtime.core.session.SessionGuard guard;

    /** Adds the session checks of {@code guard} to every connect and command. @return this */
    public ConnectionService guardedBy(com.pyerp.realtime.core.session.SessionGuard guard) {
        this.guard = guard;
        return this;
    }

    public com.pyerp.realtime.core.session.SessionGuard guard() {
        return guard;
    }

    public static ConnectionService fromEnv(ConnectionRegistry registry, RealtimeEnv env) {
        return new ConnectionService(
                registry,
                EventCatalog.load(),
                Clock.systemUTC(),
                env.connectionTtl(),
                env.maxSubscriptionsPerConnection());
    }

    public static ConnectionService fromEnv(ConnectionRegistry registry, ChannelHistory history, RealtimeEnv env) {
        return fromEnv(registry, history, null, env);
    }

    public static ConnectionService fromEnv(
            ConnectionRegistry registry, ChannelHistory history, ConnectionSender sender, RealtimeEnv env) {
        return new ConnectionService(
                registry,
                history,
                sender,
                EventCatalog::load,
                Clock.systemUTC(),
                env.connectionTtl(),
                env.maxSubscriptionsPerConnection());
    }

    /** Registers a connection that the authorizer allowed. Throws {@link RegistryUnavailableException} (refuses the handshake). */
    public Connection connect(String connectionId, Principal who, Instant connectedAt) {
        var g = guard;
        if (g != null) g.checkConnectionLimit(connectionId, who, connectedAt);
        Connection c =
                new Connection(connectionId, who, connectedAt, connectedAt.plus(connectionTtl), who.tokenExpiresAt());
        registry.register(c);
        com.pyerp.realtime.core.log.AuditLog.allowed(
                "connect", "registered", "userId", who.userId(), "tenant", who.tenant(), "connectionId", connectionId);
        LOG.info("connected", "userId", who.userId(), "tenant", who.tenant());
        return c;
    }

    /** Removes the connection and its subscriptions; safe to call twice or for an unknown id. */
    public void disconnect(String connectionId, Integer statusCode, String reason) {
        registry.remove(connectionId);
        var g = guard;
        if (g != null) g.forget(connectionId);
        LOG.info("disconnected", "disconnectStatusCode", statusCode, "disconnectReason", reason);
    }

    /**
     * Handles one client frame and returns the reply frame. Never throws: every failure becomes an
     * error frame with a code from the catalogue.
     *
     * @param who the authorizer context of the connection; null when the route ran without one
     */
    public String handle(String connectionId, Principal who, String body) {
        String id = null;
        try {
            if (who == null)
                throw new ProtocolException(ErrorCode.NOT_CONNECTED, null, "no authorizer context for this connection");
            var g = guard;
            if (g != null) {
                var early = g.beforeCommand(connectionId, who);
                // an empty string: the connection was closed, nothing is answered
                if (early.isPresent()) return early.get().isEmpty() ? null : early.get();
            }
            ClientCommand cmd = ClientFrames.parse(body);
            id = cmd.id();
            return switch (cmd.action()) {
                case PING -> ServerFrames.pong(cmd, clock.instant());
                case SUBSCRIBE -> subscribe(connectionId, who, cmd);
                case UNSUBSCRIBE -> unsubscribe(connectionId, who, cmd);
                case REFRESH ->
                    g == null
                            ? ServerFrames.error(ErrorCode.REFRESH_REFUSED, id, "refresh is not enabled")
                            : g.refresh(connectionId, who, cmd);
                case PRESENCE -> presence(who, cmd);
                case PUBLISH -> publish(connectionId, who, cmd);
            };
        } catch (ProtocolException e) {
            LOG.info("command refused", "code", e.code().name(), "reason", e.getMessage());
            if (e.code() == ErrorCode.CHANNEL_FORBIDDEN || e.code() == ErrorCode.SUBSCRIPTION_LIMIT)
                com.pyerp.realtime.core.log.AuditLog.refused(
                        "subscribe",
                        e.getMessage(),
                        "code",
                        e.code().name(),
                        "userId",
                        who.userId(),
                        "tenant",
                        who.tenant());
            return ServerFrames.error(e.code(), e.id(), e.getMessage());
        } catch (ConnectionGoneException e) {
            LOG.info("command on a connection the registry does not know", "code", ErrorCode.NOT_CONNECTED.name());
            return ServerFrames.error(
                    ErrorCode.NOT_CONNECTED, id, "this connection is no longer registered; reconnect");
        } catch (RegistryUnavailableException e) {
            LOG.error("registry unavailable", e, "code", ErrorCode.REGISTRY_UNAVAILABLE.name());
            LOG.metrics(java.util.Map.of(REGISTRY_ERRORS_METRIC, 1));
            return ServerFrames.error(
                    ErrorCode.REGISTRY_UNAVAILABLE,
                    id,
                    "the registry is unavailable; the command was not applied, retry later");
        } catch (RuntimeException e) {
            LOG.error("command failed", e, "code", ErrorCode.INTERNAL_ERROR.name());
            return ServerFrames.error(ErrorCode.INTERNAL_ERROR, id, "internal error");
        }
    }

    private String subscribe(String connectionId, Principal who, ClientCommand cmd) throws ProtocolException {
        String key = policy.authorize(who, cmd.channel(), cmd.id());
        Instant now = clock.instant();
        var current = registry.channelsOf(connectionId, now);
        if (!current.contains(key) && current.size() >= maxSubscriptions) {
            throw new ProtocolException(
                    ErrorCode.SUBSCRIPTION_LIMIT,
                    cmd.id(),
                    "a connection may hold at most " + maxSubscriptions + " subscriptions");
        }
        boolean added = registry.subscribe(connectionId, key, now);
        LOG.info("subscribed", "channel", cmd.channel(), "new", added);
        // the history is read after the subscription is written, so no event falls between the two (docs/protocol.md)
        var policy = catalog.get()
                .matchChannel(cmd.channel())
                .flatMap(m -> m.family().historyPolicy());
        if (policy.isEmpty()) return ServerFrames.ack(cmd);
        Recovery r = Recovery.of(history, key, policy.get(), cmd.recover(), now);
        List<ObjectNode> frames = new ArrayList<>();
        if (Boolean.TRUE.equals(r.recovered())) {
            long bytes = 0;
            for (Publication p : r.publications()) {
                ObjectNode f = frame(cmd.channel(), p, who);
                bytes += f == null ? 0 : f.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                if (f == null || bytes > maxRecoveryBytes()) {
                    r = Recovery.notRecovered(r.position());
                    frames.clear();
                    break;
                }
                frames.add(f);
            }
        }
        if (cmd.recover() != null) {
            LOG.info(
                    "recovery",
                    "channel",
                    cmd.channel(),
                    "recovered",
                    r.recovered(),
                    "fromOffset",
                    cmd.recover().offset(),
                    "toOffset",
                    r.position().offset(),
                    "events",
                    frames.size());
        }
        return ServerFrames.ack(cmd, r.position(), r.recovered(), frames);
    }

    private String presence(Principal who, ClientCommand cmd) throws ProtocolException {
        String key = policy.authorize(who, cmd.channel(), cmd.id());
        boolean enabled = catalog.get()
                .matchChannel(cmd.channel())
                .flatMap(m -> m.family().presencePolicy())
                .isPresent();
        if (!enabled)
            throw new ProtocolException(
                    ErrorCode.PRESENCE_NOT_ENABLED, cmd.id(), "channel " + cmd.channel() + " has no presence");
        return ServerFrames.presence(cmd, PresenceRegistry.members(registry, key, clock.instant()));
    }

    /**
     * Client publish (docs/protocol.md): the sender must be allowed to subscribe and hold a publish role of the
     * family; the data is checked for size and schema, the connection's budget is spent, then the message goes to
     * every other subscriber of the channel with the sender's user id from its token. Not kept in history, not sent
     * to EventBridge (docs/decisions.md).
     */
    private String publish(String connectionId, Principal who, ClientCommand cmd) throws ProtocolException {
        String key = policy.authorize(who, cmd.channel(), cmd.id());
        var rules = catalog.get()
                .matchChannel(cmd.channel())
                .flatMap(m -> m.family().publishPolicy())
                .orElse(null);
        if (rules == null || sender == null)
            throw new ProtocolException(
                    ErrorCode.PUBLISH_FORBIDDEN, cmd.id(), "clients may not publish on " + cmd.channel());
        if (rules.roles().stream().noneMatch(who.roles()::contains))
            throw new ProtocolException(
                    ErrorCode.PUBLISH_FORBIDDEN,
                    cmd.id(),
                    "publishing on " + cmd.channel() + " needs one of the roles " + rules.roles());
        String data = Json.mapper().writeValueAsString(cmd.data());
        int bytes = data.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > rules.maxBytes())
            throw new ProtocolException(
                    ErrorCode.PUBLISH_TOO_BIG,
                    cmd.id(),
                    "data is " + bytes + " bytes; at most " + rules.maxBytes() + " may be published on "
                            + cmd.channel());
        List<String> violations = rules.validate(cmd.data());
        if (!violations.isEmpty())
            throw new ProtocolException(ErrorCode.INVALID_PAYLOAD, cmd.id(), String.join("; ", violations));
        Instant now = clock.instant();
        if (!registry.tryAcquire(
                connectionId, "pub:" + cmd.channel(), rules.ratePerSecond(), Duration.ofSeconds(1), now))
            throw new ProtocolException(
                    ErrorCode.PUBLISH_RATE_LIMITED,
                    cmd.id(),
                    "at most " + rules.ratePerSecond() + " messages per second on " + cmd.channel());
        int delivered = ChannelBroadcast.send(
                registry,
                sender,
                key,
                ServerFrames.message(cmd.channel(), who.userId(), cmd.data()),
                connectionId,
                now);
        LOG.info("client message relayed", "channel", cmd.channel(), "bytes", bytes, "delivered", delivered);
        return ServerFrames.ack(cmd);
    }

    /** A kept event as the event frame this subscriber may see, or null when its type left the catalog. */
    private ObjectNode frame(String channel, Publication p, Principal who) {
        EventDefinition def = catalog.get().find(p.source(), p.detailType()).orElse(null);
        if (def == null) return null;
        JsonNode detail = Json.mapper().readTree(p.detail());
        return Envelope.eventFrame(
                channel,
                p.detailType(),
                p.source(),
                p.eventId(),
                p.time(),
                p.correlationId(),
                def.visibleTo(detail, who.roles()),
                p.offset(),
                p.epoch());
    }

    private String unsubscribe(String connectionId, Principal who, ClientCommand cmd) throws ProtocolException {
        String key = policy.keyFor(who, cmd.channel(), cmd.id());
        boolean removed = registry.unsubscribe(connectionId, key);
        LOG.info("unsubscribed", "channel", cmd.channel(), "existed", removed);
        return ServerFrames.ack(cmd);
    }
}
