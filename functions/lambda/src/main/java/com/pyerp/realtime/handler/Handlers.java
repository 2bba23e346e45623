package com.pyerp.realtime.handler;

import com.pyerp.realtime.aws.ApiGatewayConnectionCloser;
import com.pyerp.realtime.aws.ApiGatewayManagementSender;
import com.pyerp.realtime.aws.SqsScatterSink;
import com.pyerp.realtime.aws.dynamo.DynamoDbChannelHistory;
import com.pyerp.realtime.aws.dynamo.DynamoDbConnectionRegistry;
import com.pyerp.realtime.core.auth.ConnectAuthorizer;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import com.pyerp.realtime.core.dispatch.DispatchQueueControl;
import com.pyerp.realtime.core.dispatch.Dispatcher;
import com.pyerp.realtime.core.dispatch.FanOutPolicy;
import com.pyerp.realtime.core.dispatch.ScatterSink;
import com.pyerp.realtime.core.history.ChannelHistory;
import com.pyerp.realtime.core.history.InMemoryChannelHistory;
import com.pyerp.realtime.core.presence.PresenceRegistry;
import com.pyerp.realtime.core.registry.ChannelKey;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.service.ConnectionService;
import com.pyerp.realtime.core.session.SessionGuard;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.Lazy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
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
        SessionHandler session)
        implements AutoCloseable {

    /** All five handlers over one registry; scatter through the fan-out queue when {@code FANOUT_QUEUE_URL} is set. */
    public static Handlers create(RealtimeEnv env, Map<String, String> rawEnv, ConnectionRegistry registry) {
        return create(env, rawEnv, registry, SqsScatterSink.fromEnv(env, rawEnv));
    }

    /**
     * All five handlers over one registry, scattering large channels to the given sink (null: no scatter); the
     * dispatcher without queue control (failures left to the redrive policy).
     */
    public static Handlers create(
            RealtimeEnv env, Map<String, String> rawEnv, ConnectionRegistry registry, ScatterSink scatter) {
        return create(
                env,
                rawEnv,
                registry,
                scatter,
                DispatchQueueControl.NONE,
                ApiGatewayManagementSender.fromEnv(env, rawEnv));
    }

    /**
     * All five handlers over one registry: scatter to {@code scatter}, the dispatcher controlling its queue through
     * {@code queue} and posting through {@code sender} (the local gateway passes the real
     * {@link ApiGatewayManagementSender} over an in-process HTTP transport, and its queue mirror).
     */
    public static Handlers create(
            RealtimeEnv env,
            Map<String, String> rawEnv,
            ConnectionRegistry registry,
            ScatterSink scatter,
            DispatchQueueControl queue,
            ConnectionSender sender) {
        ChannelHistory history = history(env, registry);
        // presence and client messages post from the command path with the dispatcher's sender (which it closes)
        ConnectionRegistry rooms = withPresence(registry, sender);
        ConnectionService service = guarded(ConnectionService.fromEnv(rooms, history, sender, env), rooms, env, rawEnv);
        Dispatcher dispatcher = dispatcher(env, rooms, history, scatter, sender);
        return new Handlers(
                new AuthorizerHandler(ConnectAuthorizer.fromEnv(env)),
                new ConnectHandler(service),
                new DisconnectHandler(service),
                new CommandHandler(service),
                new DispatcherHandler(dispatcher, queue),
                dispatcher,
                new SessionHandler(service.guard()));
    }

    /** The registry with presence announcements ({@link PresenceRegistry}): every path that removes a subscription. */
    static ConnectionRegistry withPresence(ConnectionRegistry registry, ConnectionSender sender) {
        return new PresenceRegistry(registry, EventCatalog::load, sender, Clock.systemUTC());
    }

    /**
     * The channel history next to a registry: in DynamoDB ({@code HISTORY_TABLE}, the registry's client) for the
     * DynamoDB registry, in memory for the in-memory one (one process, like its registry).
     */
    public static ChannelHistory history(RealtimeEnv env, ConnectionRegistry registry) {
        if (registry instanceof DynamoDbConnectionRegistry d) return DynamoDbChannelHistory.fromEnv(env, d.client());
        return new InMemoryChannelHistory();
    }

    static RealtimeEnv env() {
        return RealtimeEnv.fromSystem();
    }

    static ConnectionRegistry registry(RealtimeEnv env) {
        return DynamoDbConnectionRegistry.fromEnv(env);
    }

    static ConnectionService defaultConnectionService() {
        RealtimeEnv env = env();
        ConnectionRegistry registry = registry(env);
        Priming.register("registry", () -> registry.find(PRIMING_ID, Instant.now()));
        Priming.register("catalog", () -> EventCatalog.load().matchChannel("inventory.sku.PRIMING"));
        // built at the first post: the connect function never posts, and its cold start delays the handshake
        ConnectionSender sender = lazySender(env);
        ConnectionRegistry rooms = withPresence(registry, sender);
        return guarded(
                ConnectionService.fromEnv(rooms, history(env, registry), sender, env), rooms, env, System.getenv());
    }

    private static ConnectionSender lazySender(RealtimeEnv env) {
        Lazy<ApiGatewayManagementSender> sender =
                new Lazy<>(() -> ApiGatewayManagementSender.fromEnv(env, System.getenv()));
        return (connectionId, payload) -> sender.get().send(connectionId, payload);
    }

    /** Adds the session checks (token lifetime, refresh, limits, revocation) with an @connections closer. */
    static ConnectionService guarded(
            ConnectionService service, ConnectionRegistry registry, RealtimeEnv env, Map<String, String> rawEnv) {
        return service.guardedBy(SessionGuard.fromEnv(registry, ApiGatewayConnectionCloser.fromEnv(env, rawEnv), env));
    }

    static Dispatcher defaultDispatcher() {
        RealtimeEnv env = env();
        ConnectionRegistry registry = registry(env);
        ConnectionSender sender = ApiGatewayManagementSender.fromEnv(env, System.getenv());
        Priming.register("catalog", () -> EventCatalog.load().compileSchemas());
        Priming.register("registry", () -> {
            try (var subscribers =
                    registry.subscribers(ChannelKey.of(PRIMING_ID, "inventory.sku.PRIMING"), Instant.now())) {
                long unused = subscribers.count(); // reading the stream runs the query; the count is not needed
            }
        });
        // a real PostToConnection to a connection that does not exist: 410, or 403 before the stage is live
        Priming.register(
                "@connections",
                () -> sender.send(PRIMING_ID, "{}".getBytes(StandardCharsets.UTF_8))
                        .join());
        return dispatcher(
                env,
                withPresence(registry, sender),
                history(env, registry),
                SqsScatterSink.fromEnv(env, System.getenv()),
                sender);
    }

    static ConnectAuthorizer defaultAuthorizer() {
        RealtimeEnv env = env();
        ConnectAuthorizer authorizer = ConnectAuthorizer.fromEnv(env);
        // a well-formed token signed by no key of the JWKS: parsing, the JWKS fetch and the key lookup all run
        Priming.register(
                "jwks",
                () -> authorizer.authorize(
                        Map.of(
                                ConnectAuthorizer.PROTOCOL_HEADER,
                                ConnectAuthorizer.SUBPROTOCOL + ", " + primingToken(env)),
                        Map.of()));
        return authorizer;
    }

    /** Connection id, tenant and token subject of the priming calls: no real connection ever has it. */
    static final String PRIMING_ID = "snapstart-priming";

    private static String primingToken(RealtimeEnv env) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"" + PRIMING_ID + "\"}";
        String claims = "{\"iss\":\"" + env.jwtIssuer() + "\",\"aud\":\"" + env.jwtAudience() + "\",\"sub\":\""
                + PRIMING_ID + "\",\"exp\":" + (Instant.now().getEpochSecond() + 300) + "}";
        return b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(new byte[64]);
    }

    private static Dispatcher dispatcher(
            RealtimeEnv env,
            ConnectionRegistry registry,
            ChannelHistory history,
            ScatterSink scatter,
            ConnectionSender sender) {
        return new Dispatcher(
                EventCatalog.load(),
                registry,
                history,
                sender,
                Clock.systemUTC(),
                FanOutPolicy.of(env.dispatchConcurrency()),
                env.dedupWindow(),
                scatter,
                env.fanOutPageSize());
    }

    @Override
    public void close() {
        dispatcherCore.close();
    }
}
