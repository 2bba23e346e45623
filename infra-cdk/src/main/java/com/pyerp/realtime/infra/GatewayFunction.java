package com.pyerp.realtime.infra;

import software.amazon.awscdk.Duration;

/**
 * The five Lambda functions of the gateway: one handler class of the deployment jar each, with its tuned defaults.
 *
 * <p>Memory buys CPU on Lambda (1,769 MB is one full vCPU). The request-path functions (authorizer, $connect, commands)
 * get 1 GB so a SnapStart restore and the first JIT-compiled requests stay fast; $disconnect is best effort and cheap;
 * the dispatcher fans one event out to many connections with {@code DISPATCH_CONCURRENCY} calls in flight, so it gets a
 * full vCPU. The API Gateway integration timeout is 29 s, so request-path timeouts stay well below it. The dispatcher's
 * timeout sets the dispatch buffer's visibility timeout ({@link EventRouting#visibilityTimeout}), which is also the delay
 * before a failed record is received again.
 */
public enum GatewayFunction {
    AUTHORIZER(
            "com.pyerp.realtime.handler.AuthorizerHandler::handleRequest",
            1024,
            Duration.seconds(10),
            "REQUEST authorizer of $connect: verifies the JWT (Sec-WebSocket-Protocol or ?token=) and the Origin"),
    CONNECT(
            "com.pyerp.realtime.handler.ConnectHandler::handleRequest",
            1024,
            Duration.seconds(10),
            "$connect: registers the connection"),
    DISCONNECT(
            "com.pyerp.realtime.handler.DisconnectHandler::handleRequest",
            512,
            Duration.seconds(10),
            "$disconnect: removes the connection and its subscriptions"),
    COMMAND(
            "com.pyerp.realtime.handler.CommandHandler::handleRequest",
            1024,
            Duration.seconds(10),
            "subscribe, unsubscribe, ping and $default: the return body is the client's reply"),
    DISPATCHER(
            "com.pyerp.realtime.handler.DispatcherHandler::handleRequest",
            1769,
            Duration.seconds(60),
            "dispatch buffer consumer: delivers batches of ERP events (SQS records) to the subscribed connections"),
    SESSION(
            "com.pyerp.realtime.handler.SessionHandler::handleRequest",
            512,
            Duration.seconds(60),
            "ends sessions: the expired-token sweep (schedule) and the ERP's SessionsRevoked event");

    private final String handler;
    private final int defaultMemoryMb;
    private final Duration timeout;
    private final String description;

    GatewayFunction(String handler, int defaultMemoryMb, Duration timeout, String description) {
        this.handler = handler;
        this.defaultMemoryMb = defaultMemoryMb;
        this.timeout = timeout;
        this.description = description;
    }

    /** The Lambda handler string ({@code class::method}) inside the deployment jar. */
    public String handler() {
        return handler;
    }

    public int defaultMemoryMb() {
        return defaultMemoryMb;
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
