package com.pyerp.realtime.core.service;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.channel.ChannelPolicy;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.protocol.ClientCommand;
import com.pyerp.realtime.core.protocol.ClientFrames;
import com.pyerp.realtime.core.protocol.ErrorCode;
import com.pyerp.realtime.core.protocol.ProtocolException;
import com.pyerp.realtime.core.protocol.ServerFrames;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.ConnectionGoneException;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import com.pyerp.realtime.events.EventCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

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

    public ConnectionService(
            ConnectionRegistry registry,
            EventCatalog catalog,
            Clock clock,
            Duration connectionTtl,
            int maxSubscriptions) {
        this.registry = registry;
        this.policy = new ChannelPolicy(catalog);
        this.clock = clock;
        this.connectionTtl = connectionTtl;
        this.maxSubscriptions = maxSubscriptions;
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
        return ServerFrames.ack(cmd);
    }

    private String unsubscribe(String connectionId, Principal who, ClientCommand cmd) throws ProtocolException {
        String key = policy.keyFor(who, cmd.channel(), cmd.id());
        boolean removed = registry.unsubscribe(connectionId, key);
        LOG.info("unsubscribed", "channel", cmd.channel(), "existed", removed);
        return ServerFrames.ack(cmd);
    }
}
