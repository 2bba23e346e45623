package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.pyerp.realtime.core.config.FunctionLimits;
import com.pyerp.realtime.events.Json;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.node.ObjectNode;

/** The in-process Lambda runtime enforces the stack's timeouts and reports its memory (one source: FunctionLimits). */
@Timeout(30)
class LambdaRuntimeTest {
    private static ObjectNode event() {
        ObjectNode e = Json.mapper().createObjectNode();
        e.putObject("requestContext").put("routeKey", "$default").put("connectionId", "c-1");
        e.put("body", "{}");
        return e;
    }

    private static LambdaRuntime.Result invoke(
            LambdaRuntime.Fn fn, RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> h) {
        return LambdaRuntime.invoke(
                fn, h, APIGatewayV2WebSocketEvent.class, APIGatewayV2WebSocketResponse.class, event());
    }

    /** Regression: a $connect that stalled answered after 12.9 s although the stack gives it 10 s. */
    @Test
    void invocationStillRunningAtItsTimeout_failsLikeLambda_andIsInterrupted() throws Exception {
        AtomicReference<Boolean> interrupted = new AtomicReference<>(false);
        long start = System.nanoTime();
        LambdaRuntime.Result r = invoke(new LambdaRuntime.Fn("stall", 256, Duration.ofMillis(300)), (e, ctx) -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException x) {
                interrupted.set(true);
            }
            return new APIGatewayV2WebSocketResponse();
        });
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(r.failed()).isTrue();
        assertThat(r.errorType()).isEqualTo("Sandbox.Timedout");
        assertThat(r.errorMessage()).contains("Task timed out after 0.30 seconds");
        assertThat(r.payload().path("errorType").asString()).isEqualTo("Sandbox.Timedout");
        assertThat(took).isBetween(Duration.ofMillis(290), Duration.ofSeconds(3));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!interrupted.get() && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(interrupted.get())
                .as("the abandoned invocation was interrupted")
                .isTrue();
    }

    @Test
    void context_reportsTheStacksTimeoutAndMemory_perFunction() {
        for (FunctionLimits limits : FunctionLimits.values()) {
            AtomicReference<Context> seen = new AtomicReference<>();
            LambdaRuntime.Result r = invoke(LambdaRuntime.Fn.of(limits), (e, ctx) -> {
                seen.set(ctx);
                APIGatewayV2WebSocketResponse out = new APIGatewayV2WebSocketResponse();
                out.setStatusCode(ctx.getRemainingTimeInMillis());
                return out;
            });
            assertThat(r.failed()).isFalse();
            assertThat(seen.get().getMemoryLimitInMB()).as("%s memory", limits).isEqualTo(limits.memoryMb());
            assertThat(r.payload().path("statusCode").asLong())
                    .as("%s remaining time at the start", limits)
                    .isBetween(
                            limits.timeout().toMillis() - 2_000,
                            limits.timeout().toMillis());
        }
        assertThat(FunctionLimits.CONNECT.timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void handlerException_becomesTheRuntimesErrorShape() {
        LambdaRuntime.Result r = invoke(LambdaRuntime.COMMAND, (e, ctx) -> {
            throw new IllegalStateException("boom");
        });
        assertThat(r.errorType()).isEqualTo(IllegalStateException.class.getName());
        assertThat(r.payload().path("errorMessage").asString()).isEqualTo("boom");
    }
}
