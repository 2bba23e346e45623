package com.pyerp.realtime.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The hand-written log JSON equals Jackson's output for every kind of value a log line carries. */
class LogJsonTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private enum Kind {
        CONNECT
    }

    private static void assertSameAsJackson(Map<String, Object> line) {
        String ours = LogJson.write(line);
        assertThat(ours).isEqualTo(JSON.writeValueAsString(line));
    }

    @Test
    void scalars_asJacksonWritesThem() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("string", "plain");
        line.put("int", 42);
        line.put("long", -9_007_199_254_740_993L);
        line.put("double", 0.1 + 0.2);
        line.put("big", 1e21);
        line.put("float", 1.5f);
        line.put("decimal", new BigDecimal("12.3400"));
        line.put("true", true);
        line.put("null", null);
        line.put("enum", Kind.CONNECT);
        assertSameAsJackson(line);
    }

    @Test
    void strings_escapeQuotesBackslashesAndControlCharacters_only() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("quote\"key", "a \"quoted\" \\ back\\slash");
        line.put("control", "nl\n cr\r tab\t bs\b ff\f nul\u0000 unit\u001f del\u007f");
        line.put("unicode", "Grüße – 日本 🚀 </script> '");
        assertSameAsJackson(line);
        assertThat(LogJson.write(line)).doesNotContain("\n").contains("\\u0000").contains("\\u001F");
    }

    @Test
    void nestedMapsListsAndArrays() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("Name", "delivered");
        inner.put("Unit", "Count");
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("_aws", Map.of("Metrics", List.of(inner), "Dimensions", List.of(List.of())));
        line.put("list", Arrays.asList(1, "two", null, false));
        line.put("array", new String[] {"a", "b"});
        line.put("ints", new int[] {1, 2});
        line.put("empty", Map.of());
        assertSameAsJackson(line);
    }

    @Test
    void jacksonTree_isEmbeddedAsJson() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("detail", JSON.readTree("{\"sku\":\"A-1\",\"qty\":[1,2.5],\"note\":\"x\\ny\"}"));
        assertSameAsJackson(line);
    }

    @Test
    void nonFiniteNumbers_areQuoted_asJacksonDoes() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("nan", Double.NaN);
        line.put("inf", Float.NEGATIVE_INFINITY);
        assertSameAsJackson(line);
    }

    @Test
    void otherObjects_areTheirString_andOptionalsTheirValue() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("uri", java.net.URI.create("https://x.example/a?b=c"));
        line.put("duration", java.time.Duration.ofMillis(1500));
        line.put("present", Optional.of("v"));
        line.put("absent", Optional.empty());
        assertThat(LogJson.write(line))
                .isEqualTo(
                        "{\"uri\":\"https://x.example/a?b=c\",\"duration\":\"PT1.5S\",\"present\":\"v\",\"absent\":null}");
    }

    @Test
    void selfContainingMap_isCutOff_insteadOfOverflowing() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("self", line);
        assertThat(LogJson.write(line)).contains("<nested too deep>");
    }
}
