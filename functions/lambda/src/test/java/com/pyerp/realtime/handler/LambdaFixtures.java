package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Golden AWS event fixtures ({@code src/test/resources/events/}) read and written exactly as the Lambda Java runtime
 * does: with aws-lambda-java-serialization's serializers (the runtime's own mixins and naming rules), so a field
 * name that API Gateway sends or reads but the event classes spell differently shows up here, not in the cloud.
 */
final class LambdaFixtures {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private LambdaFixtures() {}

    /** The fixture's text, with each placeholder replaced (e.g. {@code TOKEN_PLACEHOLDER} by a freshly minted JWT). */
    static String text(String name, Map<String, String> replacements) {
        try (InputStream in = LambdaFixtures.class.getClassLoader().getResourceAsStream("events/" + name)) {
            if (in == null) throw new IllegalArgumentException("no fixture events/" + name);
            String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (Map.Entry<String, String> r : replacements.entrySet()) s = s.replace(r.getKey(), r.getValue());
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return text(name, Map.of());
    }

    /** Deserializes a fixture into the handler's input type, as the runtime does before calling the handler. */
    static <T> T event(String name, Class<T> type, Map<String, String> replacements) {
        return serializer(type)
                .fromJson(new ByteArrayInputStream(text(name, replacements).getBytes(StandardCharsets.UTF_8)));
    }

    static <T> T event(String name, Class<T> type) {
        return event(name, type, Map.of());
    }

    /** Serializes a handler's result as the runtime does before handing it to API Gateway. */
    static <T> JsonNode toJson(T output, Class<T> type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer(type).toJson(output, out);
        return JSON.readTree(out.toByteArray());
    }

    static <T> String toJsonText(T output, Class<T> type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer(type).toJson(output, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static <T> PojoSerializer<T> serializer(Class<T> type) {
        return LambdaEventSerializers.serializerFor(type, LambdaFixtures.class.getClassLoader());
    }

    /** A Lambda context with a request id, as the runtime passes one. */
    static Context context(String functionName) {
        return new Context() {
            @Override
            public String getAwsRequestId() {
                return "8f5e4d3c-2b1a-4c5d-9e8f-7a6b5c4d3e2f";
            }

            @Override
            public String getLogGroupName() {
                return "/aws/lambda/" + functionName;
            }

            @Override
            public String getLogStreamName() {
                return "2026/11/25/[$LATEST]0123456789abcdef";
            }

            @Override
            public String getFunctionName() {
                return functionName;
            }

            @Override
            public String getFunctionVersion() {
                return "$LATEST";
            }

            @Override
            public String getInvokedFunctionArn() {
                return "arn:aws:lambda:eu-central-1:123456789012:function:" + functionName;
            }

            @Override
            public CognitoIdentity getIdentity() {
                return null;
            }

            @Override
            public ClientContext getClientContext() {
                return null;
            }

            @Override
            public int getRemainingTimeInMillis() {
                return 29_000;
            }

            @Override
            public int getMemoryLimitInMB() {
                return 512;
            }

            @Override
            public LambdaLogger getLogger() {
                return new LambdaLogger() {
                    @Override
                    public void log(String message) {}

                    @Override
                    public void log(byte[] message) {}
                };
            }
        };
    }
}
