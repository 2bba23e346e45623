package com.pyerp.realtime.core.config;

import java.time.Duration;

/**
 * The timeout and memory of each gateway function: the one definition the CDK stack deploys (infra-cdk
 * {@code GatewayFunction}) and the local gateway enforces (its {@code Context} reports them, and an invocation that
 * runs longer fails as Lambda fails it). Every failure path inside a function must fit its timeout: the registry
 * client's call timeout is checked against these numbers (functions/lambda {@code DynamoDbClients}).
 *
 * <p>Memory buys CPU on Lambda (1,769 MB is one full vCPU). The request-path functions (authorizer, $connect,
 * commands) get 1 GB so a SnapStart restore and the first JIT-compiled requests stay fast; $disconnect is best effort
 * and cheap; the dispatcher fans one event out to many connections, so it gets a full vCPU. API Gateway's
 * integration timeout is 29 s, so request-path timeouts stay well below it.
 */
public enum FunctionLimits {
    AUTHORIZER(1024, Duration.ofSeconds(10)),
    CONNECT(1024, Duration.ofSeconds(10)),
    DISCONNECT(512, Duration.ofSeconds(10)),
    COMMAND(1024, Duration.ofSeconds(10)),
    DISPATCHER(1769, Duration.ofSeconds(60)),
    /** Ends sessions: the expired-token sweep and the ERP's SessionsRevoked event (not on the request path). */
    SESSION(512, Duration.ofSeconds(60));

    private final int memoryMb;
    private final Duration timeout;

    FunctionLimits(int memoryMb, Duration timeout) {
        this.memoryMb = memoryMb;
        this.timeout = timeout;
    }

    /** The default memory size in MB (the CDK props may override it per deployment). */
    public int memoryMb() {
        return memoryMb;
    }

    /** The function timeout: Lambda stops the invocation after it. */
    public Duration timeout() {
        return timeout;
    }
}
