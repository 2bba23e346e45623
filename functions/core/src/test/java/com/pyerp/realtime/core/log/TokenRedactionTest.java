package com.pyerp.realtime.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.auth.TestTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** No token in any log line (issue 10), whatever field, parameter name or encoding carries it. */
class TokenRedactionTest {
    private final List<String> lines = new ArrayList<>();

    @AfterEach
    void restore() {
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    // regression (issue 10): `?to%6Ben=<jwt>` was accepted and logged in full; other parameter names too
    @Test
    void everyLine_shouldRedactJwtShapedValues_inAnyFieldOrContext() {
        JsonLog.setSink(lines::add);
        String jwt = TestTokens.es256();
        JsonLog log = JsonLog.get(TokenRedactionTest.class);
        log.info("handshake", "path", "/local?to%6Ben=" + jwt + "&x=1");
        log.info("handshake", "path", "/local?access=" + jwt.replace(".", "%2E"));
        log.info("frame", "body", "{\"action\":\"refresh\",\"token\":\"" + jwt + "\"}");
        log.warn("header", "headers", Map.of("Authorization", "Bearer " + jwt, "X-Any", jwt));
        JsonLog.withContext(Map.of("weird", jwt), () -> log.info("context"));
        log.error("failed", new IllegalStateException("bad token " + jwt));
        log.metrics(Map.of("Count", 1));

        String all = String.join("\n", lines);
        String[] parts = jwt.split("\\.");
        assertThat(all).doesNotContain(parts[1]).doesNotContain(parts[2]).contains("REDACTED-JWT");
        assertThat(lines).hasSize(7);
    }

    @Test
    void redact_shouldKeepOrdinaryText() {
        assertThat(JsonLog.redactTokens("eyJust a word. and more")).isEqualTo("eyJust a word. and more");
        assertThat(JsonLog.redact("/local?stage=x&token=abc")).isEqualTo("/local?stage=x&token=REDACTED");
        assertThat(JsonLog.redact("/local?TO%6Ben=abc")).isEqualTo("/local?TO%6Ben=REDACTED");
    }
}
