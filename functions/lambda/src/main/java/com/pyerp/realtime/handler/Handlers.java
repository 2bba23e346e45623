package com.pyerp.realtime.handler;

import com.pyerp.realtime.aws.ApiGatewayConnectionCloser;
import com.pyerp.realtime.aws.ApiGatewayManagementSender;
import com.pyerp.realtime.aws.dynamo.DynamoDbConnectionRegistry;
import com.pyerp.realtime.core.auth.ConnectAuthorizer;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import com.pyerp.realtime.core.dispatch.DispatchQueueControl;
import com.pyerp.realtime.core.dispatch.Dispatcher;
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

    /** All five handlers over one registry; the dispatcher without queue control (failures left to the redrive). */
    public static Handlers create(RealtimeEnv env, Map<String, String> rawEnv, ConnectionRegistry registry) {
        return create(env, rawEnv, registry, DispatchQueueControl.NONE);
    }

    /** All five handlers over one registry; the dispatcher controls its queue through {@code queue}. */
    public static Handlers create(
            RealtimeEnv env, Map<String, String> rawEnv, ConnectionRegistry registry, DispatchQueueControl queue) {
        return create(env, rawEnv, registry, queue, ApiGatewayManagementSender.fromEnv(env, rawEnv));
    }

    /**
     * All five handlers over one registry, the dispatcher posting through {@code sender} (the local gateway passes the
     * real {@link ApiGatewayManagementSender} over an in-process HTTP transport).
     */
    public static Handlers create(
            RealtimeEnv env,
            Map<String, String> rawEnv,
            ConnectionRegistry registry,
            DispatchQueueControl queue,
            ConnectionSender sender) {
        ConnectionService service = guarded(ConnectionService.fromEnv(registry, env), registry, env, rawEnv);
        Dispatcher dispatcher = dispatcher(env, registry, sender);
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
        return dispatcher(env, registry(env), ApiGatewayManagementSender.fromEnv(env, System.getenv()));
    }

    private static Dispatcher dispatcher(RealtimeEnv env, ConnectionRegistry registry, ConnectionSender sender) {
        return new Dispatcher(
                EventCatalog.load(), registry, sender, Clock.systemUTC(), env.dispatchConcurrency(), env.dedupWindow());
    }

    @Override
    public void close() {
        dispatcherCore.close();
    }
}
