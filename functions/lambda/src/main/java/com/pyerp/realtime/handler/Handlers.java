package com.pyerp.realtime.handler;

import com.pyerp.realtime.aws.ApiGatewayConnectionCloser;
import com.pyerp.realtime.aws.ApiGatewayManagementSender;
import com.pyerp.realtime.aws.SqsScatterSink;
import com.pyerp.realtime.aws.dynamo.DynamoDbConnectionRegistry;
import com.pyerp.realtime.core.auth.ConnectAuthorizer;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import com.pyerp.realtime.core.dispatch.DispatchQueueControl;
import com.pyerp.realtime.core.dispatch.Dispatcher;
import com.pyerp.realtime.core.dispatch.FanOutPolicy;
import com.pyerp.realtime.core.dispatch.ScatterSink;
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
        ConnectionService service = guarded(ConnectionService.fromEnv(registry, env), registry, env, rawEnv);
        Dispatcher dispatcher = dispatcher(env, registry, scatter, sender);
        return new Handlers(
                new AuthorizerHandler(ConnectAuthorizer.fromEnv(env)),
                new ConnectHandler(service),
                new DisconnectHandler(service),
                new CommandHandler(service),
                new DispatcherHandler(dispatcher, queue),
                dispatcher,
                new SessionHandler(service.guard()));
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
        return guarded(ConnectionService.fromEnv(registry, env), registry, env, System.getenv());
    }

    /** Adds the session checks (token lifetime, refresh, limits, revocation) with an @connections closer. */
    static ConnectionService guarded(
            ConnectionService service, ConnectionRegistry registry, RealtimeEnv env, Map<String, String> rawEnv) {
        return service.guardedBy(SessionGuard.fromEnv(registry, ApiGatewayConnectionCloser.fromEnv(env, rawEnv), env));
    }

    static Dispatcher defaultDispatcher() {
        RealtimeEnv env = env();
        return dispatcher(
                env,
                registry(env),
                SqsScatterSink.fromEnv(env, System.getenv()),
                ApiGatewayManagementSender.fromEnv(env, System.getenv()));
    }

    private static Dispatcher dispatcher(
            RealtimeEnv env, ConnectionRegistry registry, ScatterSink scatter, ConnectionSender sender) {
        return new Dispatcher(
                EventCatalog.load(),
                registry,
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
