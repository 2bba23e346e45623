package com.pyerp.realtime.infra;

import com.pyerp.realtime.core.config.FunctionLimits;
import software.amazon.awscdk.Duration;

/**
 * The five Lambda functions of the gateway: one handler class of the deployment jar each, with its tuned defaults.
 *
 * <p>Memory and timeouts come from {@link FunctionLimits} (functions/core), the numbers the local gateway enforces
 * too; see there why each function gets what it gets. The dispatcher's
 * timeout sets the dispatch buffer's visibility timeout ({@link EventRouting#visibilityTimeout}), which is also the delay
 * before a failed record is received again.
 */
public enum GatewayFunction {
    AUTHORIZER(
            "com.pyerp.realtime.handler.AuthorizerHandler::handleRequest",
            FunctionLimits.AUTHORIZER,
            "REQUEST authorizer of $connect: verifies the JWT (Sec-WebSocket-Protocol or ?token=) and the Origin"),
    CONNECT(
            "com.pyerp.realtime.handler.ConnectHandler::handleRequest",
            FunctionLimits.CONNECT,
            "$connect: registers the connection"),
    DISCONNECT(
            "com.pyerp.realtime.handler.DisconnectHandler::handleRequest",
            FunctionLimits.DISCONNECT,
            "$disconnect: removes the connection and its subscriptions"),
    COMMAND(
            "com.pyerp.realtime.handler.CommandHandler::handleRequest",
            FunctionLimits.COMMAND,
            "subscribe, unsubscribe, ping and $default: the return body is the client's reply"),
    DISPATCHER(
            "com.pyerp.realtime.handler.DispatcherHandler::handleRequest",
            FunctionLimits.DISPATCHER,
            "dispatch buffer consumer: delivers batches of ERP events (SQS records) to the subscribed connections"),
    SESSION(
            "com.pyerp.realtime.handler.SessionHandler::handleRequest",
            FunctionLimits.SESSION,
            "ends sessions: the expired-token sweep (schedule) and the ERP's SessionsRevoked event");

    private final String handler;
    private final int defaultMemoryMb;
    private final Duration timeout;
    private final FunctionLimits limits;
    private final String description;

    GatewayFunction(String handler, FunctionLimits limits, String description) {
        this.handler = handler;
        this.limits = limits;
        // one source for memory and timeout, shared with the local gateway (which enforces them)
        this.defaultMemoryMb = limits.memoryMb();
        this.timeout = Duration.seconds(limits.timeout().toSeconds());
        this.description = description;
    }

    /** The Lambda handler string ({@code class::method}) inside the deployment jar. */
    public String handler() {
        return handler;
    }

    public int defaultMemoryMb() {
        return defaultMemoryMb;
    }

    /** The shared memory and timeout definition this function is deployed with. */
    public FunctionLimits limits() {
        return limits;
    }

    public Duration timeout() {
        return timeout;
    }

    public String description() {
        return description;
    }

    /** The construct id: {@code AUTHORIZER} becomes {@code Authorizer}. */
    public String id() {
        return name().charAt(0) + name().substring(1).toLowerCase(java.util.Locale.ROOT);
    }
}
