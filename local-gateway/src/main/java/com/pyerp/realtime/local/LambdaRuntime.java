package com.pyerp.realtime.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.pyerp.realtime.core.config.FunctionLimits;
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.handler.InvocationContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Invokes handlers in-process the way the Lambda Java runtime does: the event goes in as JSON bytes and is
 * read with aws-lambda-java-serialization (the runtime's own serializers and mixins), the handler runs with a
 * real {@link com.amazonaws.services.lambda.runtime.Context}, and the result is written back to JSON with the
 * same serializers. A thrown exception becomes the runtime's error shape {@code {errorMessage, errorType}}.
 *
 * <p>Each function runs with the timeout and memory the CDK stack deploys ({@link FunctionLimits}): the
 * {@code Context} reports them, and an invocation still running at its timeout fails like Lambda's
 * ({@code Sandbox.Timedout}, "Task timed out after 10.00 seconds"); its thread is interrupted and abandoned, as Lambda
 * abandons the sandbox. Memory cannot be enforced per invocation in one JVM: it is only reported.
 */
final class LambdaRuntime {

    /** One function as the runtime sees it: name, memory and timeout. */
    record Fn(String name, int memoryMb, Duration timeout) {
        static Fn of(FunctionLimits limits) {
            return new Fn(limits.name().toLowerCase(Locale.ROOT), limits.memoryMb(), limits.timeout());
        }
    }

    static final Fn AUTHORIZER = Fn.of(FunctionLimits.AUTHORIZER);
    static final Fn CONNECT = Fn.of(FunctionLimits.CONNECT);
    static final Fn DISCONNECT = Fn.of(FunctionLimits.DISCONNECT);
    static final Fn COMMAND = Fn.of(FunctionLimits.COMMAND);
    static final Fn DISPATCHER = Fn.of(FunctionLimits.DISPATCHER);
    static final Fn SESSION = Fn.of(FunctionLimits.SESSION);

    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Invocations run here so the caller can stop waiting at the timeout (daemon threads: nothing outlives the JVM). */
    private static final ExecutorService SANDBOXES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lambda-invocation-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    /** The result of one invocation: the JSON the function returned, or the error it threw. */
    record Result(JsonNode payload, String errorType, String errorMessage) {
        boolean failed() {
            return errorType != null;
        }
    }

    private LambdaRuntime() {}

    static <I, O> Result invoke(
            Fn fn, RequestHandler<I, O> handler, Class<I> inType, Class<O> outType, JsonNode event) {
        ClassLoader cl = LambdaRuntime.class.getClassLoader();
        PojoSerializer<I> in = LambdaEventSerializers.serializerFor(inType, cl);
        PojoSerializer<O> out = LambdaEventSerializers.serializerFor(outType, cl);
        InvocationContext context = context(fn);
        return run(fn, context, () -> {
            I input = in.fromJson(new ByteArrayInputStream(Json.mapper().writeValueAsBytes(event)));
            O output = handler.handleRequest(input, context);
            if (output == null) return new Result(Json.mapper().nullNode(), null, null);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            out.toJson(output, bytes);
            return new Result(Json.mapper().readTree(bytes.toByteArray()), null, null);
        });
    }

    static Result invokeStream(Fn fn, RequestStreamHandler handler, JsonNode event) {
        InvocationContext context = context(fn);
        return run(fn, context, () -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(Json.mapper().writeValueAsBytes(event)), bytes, context);
            String text = bytes.toString(StandardCharsets.UTF_8);
            return new Result(
                    text.isEmpty() ? Json.mapper().nullNode() : Json.mapper().readTree(text), null, null);
        });
    }

    /** Runs one invocation on a sandbox thread and waits at most the function's timeout for it. */
    /** A fresh request id, the function's memory, its timeout counting down, the logger printing, as in Lambda. */
    private static InvocationContext context(Fn fn) {
        return new InvocationContext(
                UUID.randomUUID().toString(),
                fn.name(),
                "arn:aws:lambda:local:000000000000:function:" + fn.name(),
                "local",
                fn.memoryMb(),
                System.currentTimeMillis() + fn.timeout().toMillis(),
                true);
    }

    private static Result run(Fn fn, InvocationContext context, Callable<Result> invocation) {
        Future<Result> f = SANDBOXES.submit(() -> {
            try {
                return invocation.call();
            } catch (Throwable e) { // the Lambda runtime reports any Throwable as {errorMessage, errorType}
                return error(e.getClass().getName(), String.valueOf(e.getMessage()));
            }
        });
        try {
            return f.get(fn.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            // what Lambda reports for an invocation that reached its timeout
            return error(
                    "Sandbox.Timedout",
                    "RequestId: " + context.getAwsRequestId() + " Error: Task timed out after "
                            + String.format(Locale.ROOT, "%.2f", fn.timeout().toMillis() / 1000.0) + " seconds");
        } catch (ExecutionException e) {
            return error(
                    e.getCause().getClass().getName(),
                    String.valueOf(e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return error("Runtime.Interrupted", "the local gateway is stopping");
        }
    }

    private static Result error(String type, String message) {
        ObjectNode err = Json.mapper().createObjectNode();
        err.put("errorMessage", message);
        err.put("errorType", type);
        return new Result(err, type, message);
    }
}
