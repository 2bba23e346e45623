package com.pyerp.realtime.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Invokes handlers in-process the way the Lambda Java runtime does: the event goes in as JSON bytes and is
 * read with aws-lambda-java-serialization (the runtime's own serializers and mixins), the handler runs with a
 * real {@link com.amazonaws.services.lambda.runtime.Context}, and the result is written back to JSON with the
 * same serializers. A thrown exception becomes the runtime's error shape {@code {errorMessage, errorType}}.
 */
final class LambdaRuntime {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    /** The result of one invocation: the JSON the function returned, or the error it threw. */
    record Result(JsonNode payload, String errorType, String errorMessage) {
        boolean failed() {
            return errorType != null;
        }
    }

    private LambdaRuntime() {}

    static <I, O> Result invoke(
            String functionName, RequestHandler<I, O> handler, Class<I> inType, Class<O> outType, JsonNode event) {
        ClassLoader cl = LambdaRuntime.class.getClassLoader();
        PojoSerializer<I> in = LambdaEventSerializers.serializerFor(inType, cl);
        PojoSerializer<O> out = LambdaEventSerializers.serializerFor(outType, cl);
        try {
            I input = in.fromJson(new ByteArrayInputStream(JSON.writeValueAsBytes(event)));
            O output = handler.handleRequest(input, new LocalContext(functionName, 30_000));
            if (output == null) return new Result(JSON.nullNode(), null, null);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            out.toJson(output, bytes);
            return new Result(JSON.readTree(bytes.toByteArray()), null, null);
        } catch (Throwable e) { // the Lambda runtime reports any Throwable as {errorMessage, errorType}
            return error(functionName, e);
        }
    }

    static Result invokeStream(String functionName, RequestStreamHandler handler, JsonNode event) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            handler.handleRequest(
                    new ByteArrayInputStream(JSON.writeValueAsBytes(event)),
                    bytes,
                    new LocalContext(functionName, 60_000));
            String text = bytes.toString(StandardCharsets.UTF_8);
            return new Result(text.isEmpty() ? JSON.nullNode() : JSON.readTree(text), null, null);
        } catch (Throwable e) { // the Lambda runtime reports any Throwable as {errorMessage, errorType}
            return error(functionName, e);
        }
    }

    private static Result error(String functionName, Throwable e) {
        ObjectNode err = JSON.createObjectNode();
        err.put("errorMessage", String.valueOf(e.getMessage()));
        err.put("errorType", e.getClass().getName());
        return new Result(err, e.getClass().getName(), String.valueOf(e.getMessage()));
    }
}
