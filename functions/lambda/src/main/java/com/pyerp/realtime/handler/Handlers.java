package com.pyerp.realtime.handler;

import com.pyerp.realtime.aws.ApiGatewayConnectionCloser;
import com.pyerp.realtime.aws.ApiGatewayManagementSender;
import com.pyerp.realtime.aws.dynamo.DynamoDbChannelHistory;
import com.pyerp.realtime.aws.dynamo.DynamoDbConnectionRegistry;
import com.pyerp.realtime.core.auth.ConnectAuthorizer;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import com.pyerp.realtime.core.dispatch.Dispatcher;
import com.pyerp.realtime.core.history.ChannelHistory;
import com.pyerp.realtime.core.history.InMemoryChannelHistory;
import com.pyerp.realtime.core.presence.PresenceRegistry;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.service.ConnectionService;
import com.pyerp.realtime.core.session.SessionGuard;
import com.pyerp.realtime.events.EventCatalog;
import java.time.Clock;
import java.util.Map;

/**
 * The one place that wires handlers to their collaborators. Lambda's no-argument constructors use it with
 * the process environment and the DynamoDB registry; the local gateway uses {@link #create} with its own
 * environment map and registry, so both run the very same objects.
 *
 * @param rawEnv the environment map the contract was read from (credentials for the @connections client)
 */
public record Handlers(
        AuthorizerHandler authorizer,
        ConnectHandler connect,
        DisconnectHandler disconnect,
        CommandHandler command,
        DispatcherHandler dispatcher,
        Dispatcher dispatcherCore,
        SessionHandler session,
        AutoCloseable roomSender)
        implements AutoCloseable {

    /** All five handlers over one registry, with the history that goes with it ({@link #history}). */
    public static Handlers create(RealtimeEnv env, Map<String, String> rawEnv, ConnectionRegistry registry) {
        return create(env, rawEnv, registry, history(env, registry));
    }

    /** All five handlers over one registry and one channel history. */
    public static Handlers create(
            RealtimeEnv env, Map<String, String> rawEnv, ConnectionRegistry registry, ChannelHistory history) {
        // presence and client messages post from the command path too, with their own @connections client
        ApiGatewayManagementSender sender = ApiGatewayManagementSender.fromEnv(env, rawEnv);
        ConnectionRegistry rooms = withPresence(registry, sender);
        ConnectionService service = guarded(ConnectionService.fromEnv(rooms, history, sender, env), rooms, env, rawEnv);
        Dispatcher dispatcher = dispatcher(env, rawEnv, rooms, history);
        return new Handlers(
                new AuthorizerHandler(ConnectAuthorizer.fromEnv(env)),
                new ConnectHandler(service),
                new DisconnectHandler(service),
                new CommandHandler(service),
                new DispatcherHandler(dispatcher),
                dispatcher,
                new SessionHandler(service.guard()),
                sender);
    }

    /** The registry with presence announcements ({@link PresenceRegistry}): every path that removes a subscription. */
    static ConnectionRegistry withPresence(ConnectionRegistry registry, ConnectionSender sender) {
        return new PresenceRegistry(registry, EventCatalog.load(), sender, Clock.systemUTC());
    }

    static RealtimeEnv env() {
        return RealtimeEnv.fromSystem();
    }

    static ConnectionRegistry registry(RealtimeEnv env) {
        return DynamoDbConnectionRegistry.fromEnv(env);
    }

    /**
     * The channel history next to a registry: in DynamoDB ({@code HISTORY_TABLE}, the registry's client) for the
     * DynamoDB registry, in memory for the in-memory one (one process, like its registry).
     */
    public static ChannelHistory history(RealtimeEnv env, ConnectionRegistry registry) {
        if (registry instanceof DynamoDbConnectionRegistry d) return DynamoDbChannelHistory.fromEnv(env, d.client());
        return new InMemoryChannelHistory();
    }

    static ConnectionService defaultConnectionService() {
        RealtimeEnv env = env();
        ConnectionRegistry registry = registry(env);
        // built at the first post: the connect function never posts, and its cold start delays the handshake
        ConnectionSender sender = lazySender(env);
        ConnectionRegistry rooms = withPresence(registry, sender);
        return guarded(
                ConnectionService.fromEnv(rooms, history(env, registry), sender, env), rooms, env, System.getenv());
    }

    /** Adds the session checks (token lifetime, refresh, limits, revocation) with an @connections closer. */
    static ConnectionService guarded(
            ConnectionService service, ConnectionRegistry registry, RealtimeEnv env, Map<String, String> rawEnv) {
        return service.guardedBy(SessionGuard.fromEnv(registry, ApiGatewayConnectionCloser.fromEnv(env, rawEnv), env));
    }

    static Dispatcher defaultDispatcher() {
        RealtimeEnv env = env();
        ConnectionRegistry registry = registry(env);
        ApiGatewayManagementSender presenceSender = ApiGatewayManagementSender.fromEnv(env, System.getenv());
        return dispatcher(env, System.getenv(), withPresence(registry, presenceSender), history(env, registry));
    }

    private static ConnectionSender lazySender(RealtimeEnv env) {
        return new ConnectionSender() {
            private volatile ApiGatewayManagementSender sender;

            @Override
            public Outcome send(String connectionId, byte[] payload) {
                ApiGatewayManagementSender s = sender;
                if (s == null) {
                    synchronized (this) {
                        if (sender == null) sender = ApiGatewayManagementSender.fromEnv(env, System.getenv());
                        s = sender;
                    }
                }
                return s.send(connectionId, payload);
            }
        };
    }

    private static Dispatcher dispatcher(
            RealtimeEnv env, Map<String, String> rawEnv, ConnectionRegistry registry, ChannelHistory history) {
        return new Dispatcher(
                EventCatalog.load(),
                registry,
                history,
                ApiGatewayManagementSender.fromEnv(env, rawEnv),
                Clock.systemUTC(),
                env.dispatchConcurrency(),
                env.dedupWindow());
    }

    @Override
    public void close() {
        dispatcherCore.close();
        try {
            roomSender.close();
        } catch (Exception e) {
            // closing an HTTP client; nothing to recover
        }
    }
}
