package com.pyerp.realtime.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonLogTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonLog LOG = JsonLog.get(JsonLogTest.class);
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void capture() {
        JsonLog.clearContext();
        JsonLog.setSink(lines::add);
    }

    @AfterEach
    void restore() {
        JsonLog.clearContext();
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    private JsonNode only() {
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).doesNotContain("\n");
        return JSON.readTree(lines.get(0));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "wss://abc.execute-api.eu-central-1.amazonaws.com/prod?token=eyJhbGciOi.eyJzdWIi.sig | wss://abc.execute-api.eu-central-1.amazonaws.com/prod?token=REDACTED",
                "/prod?lang=de&token=abc.def.ghi&x=1 | /prod?lang=de&token=REDACTED&x=1",
                "token=abc | token=REDACTED",
                "?TOKEN=abc&Access_Token=def&id_token=ghi | ?TOKEN=REDACTED&Access_Token=REDACTED&id_token=REDACTED",
                "/prod?token=abc#frag | /prod?token=REDACTED#frag",
                "/prod?mytoken=keep&tokens=keep | /prod?mytoken=keep&tokens=keep",
                "/prod?token= | /prod?token=REDACTED",
                "/prod | /prod",
            })
    void redact_shouldReplaceTokenValues_andLeaveEverythingElse(String in, String out) {
        assertThat(JsonLog.redact(in)).isEqualTo(out);
    }

    @Test
    void redact_shouldPassNullThrough() {
        assertThat(JsonLog.redact(null)).isNull();
    }

    @Test
    void info_shouldWriteOneJsonObjectPerLine_withContextAndFields() {
        JsonLog.context().put("connectionId", "c-1");
        JsonLog.context().put("requestId", "r-1");

        LOG.info("subscribed", "channel", "sales.orders", "new", true, "count", 3);

        JsonNode line = only();
        assertThat(new ArrayList<>(line.propertyNames()))
                .containsExactly(
                        "time", "level", "logger", "message", "connectionId", "requestId", "channel", "new", "count");
        assertThat(Instant.parse(line.get("time").asString())).isNotNull();
        assertThat(line.get("level").asString()).isEqualTo("INFO");
        assertThat(line.get("logger").asString()).isEqualTo("JsonLogTest");
        assertThat(line.get("message").asString()).isEqualTo("subscribed");
        assertThat(line.get("connectionId").asString()).isEqualTo("c-1");
        assertThat(line.get("new").asBoolean()).isTrue();
        assertThat(line.get("count").asInt()).isEqualTo(3);
    }

    @Test
    void error_shouldNameTheExceptionAndItsMessage() {
        LOG.error("registry unavailable", new IllegalStateException("dynamo down"), "code", "REGISTRY_UNAVAILABLE");

        JsonNode line = only();
        assertThat(line.get("level").asString()).isEqualTo("ERROR");
        assertThat(line.get("error").asString()).isEqualTo("java.lang.IllegalStateException");
        assertThat(line.get("errorMessage").asString()).isEqualTo("dynamo down");
        assertThat(line.get("code").asString()).isEqualTo("REGISTRY_UNAVAILABLE");
    }

    @Test
    void withContext_shouldAddFieldsForTheBody_andRestoreThePreviousContext() {
        JsonLog.context().put("requestId", "r-1");

        JsonLog.withContext(Map.of("correlationId", "corr-9", "requestId", "r-2"), () -> LOG.warn("inside"));
        LOG.info("after");

        JsonNode inside = JSON.readTree(lines.get(0));
        JsonNode after = JSON.readTree(lines.get(1));
        assertThat(inside.get("correlationId").asString()).isEqualTo("corr-9");
        assertThat(inside.get("requestId").asString()).isEqualTo("r-2");
        assertThat(after.has("correlationId")).isFalse();
        assertThat(after.get("requestId").asString()).isEqualTo("r-1");
    }

    @Test
    void invocation_shouldLogOnlyItsOwnFields_andLeaveNothingBehind() {
        JsonLog.context().put("connectionId", "c-previous");

        try (JsonLog.Scope s = JsonLog.invocation(Map.of("requestId", "r-7"))) {
            JsonLog.context().put("routeKey", "subscribe");
            LOG.info("inside");
        }
        LOG.info("after");

        JsonNode inside = JSON.readTree(lines.get(0));
        JsonNode after = JSON.readTree(lines.get(1));
        assertThat(inside.has("connectionId")).as(inside.toString()).isFalse();
        assertThat(inside.get("requestId").asString()).isEqualTo("r-7");
        assertThat(inside.get("routeKey").asString()).isEqualTo("subscribe");
        assertThat(after.has("requestId")).isFalse();
        assertThat(after.has("routeKey")).isFalse();
        assertThat(after.get("connectionId").asString()).isEqualTo("c-previous");
    }

    @Test
    void clearContext_shouldDropEveryField() {
        JsonLog.context().put("connectionId", "c-1");
        JsonLog.clearContext();

        LOG.info("clean");

        assertThat(only().has("connectionId")).isFalse();
    }

    @Test
    void write_shouldStillWriteAValidLine_whenAFieldCannotBeSerialized() {
        LOG.info("odd \"field\"", "value", new Exploding());

        JsonNode line = only();
        assertThat(line.get("message").asString()).isEqualTo("odd \"field\"");
        assertThat(line.get("logError").asString()).isEqualTo("unserializable field");
    }

    @Test
    void metrics_shouldWriteAnEmbeddedMetricFormatLine() {
        JsonLog.context().put("requestId", "r-1");
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("MessagesDelivered", 3);
        counts.put("MessagesGone", 1);

        LOG.metrics(counts);

        JsonNode line = only();
        JsonNode aws = line.get("_aws");
        assertThat(aws.get("Timestamp").asLong()).isPositive();
        JsonNode directive = aws.get("CloudWatchMetrics").get(0);
        assertThat(directive.get("Namespace").asString()).isEqualTo(JsonLog.METRICS_NAMESPACE);
        assertThat(directive.get("Metrics"))
                .extracting(m -> m.get("Name").asString())
                .containsExactly("MessagesDelivered", "MessagesGone");
        assertThat(directive.get("Metrics"))
                .allSatisfy(m -> assertThat(m.get("Unit").asString()).isEqualTo("Count"));
        // every metric named in the directive must be a top-level member of the line (EMF's rule)
        assertThat(line.get("MessagesDelivered").asInt()).isEqualTo(3);
        assertThat(line.get("MessagesGone").asInt()).isEqualTo(1);
        assertThat(line.get("requestId").asString()).isEqualTo("r-1");
    }

    /** A value whose serialization fails: its getter throws. */
    /** A value whose string form throws (log values are written as their {@code toString()}). */
    public static final class Exploding {
        @Override
        public String toString() {
            throw new IllegalStateException("cannot serialize");
        }
    }
}
