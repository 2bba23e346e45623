package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.pyerp.realtime.testing.TestLambdaContext;
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
        return TestLambdaContext.silent(functionName);
    }
}
