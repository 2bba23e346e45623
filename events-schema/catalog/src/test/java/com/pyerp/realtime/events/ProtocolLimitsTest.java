package com.pyerp.realtime.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The size limits have one definition, {@code protocol/limits.json}; the texts that name them in prose (the
 * {@code MESSAGE_TOO_BIG} description, the AsyncAPI document, docs/protocol.md) are held to it here.
 */
class ProtocolLimitsTest {

    @Test
    void limits_areApiGatewaysWebSocketQuotas() {
        // API Gateway quotas: a WebSocket frame is at most 32 KB, a message (and an @connections post) 128 KB
        assertThat(ProtocolLimits.MAX_FRAME_BYTES).isEqualTo(32 * 1024);
        assertThat(ProtocolLimits.MAX_MESSAGE_BYTES).isEqualTo(128 * 1024);
    }

    @Test
    void messageTooBig_describesTheLimitsOfLimitsJson() {
        String description = ProtocolSchemas.errorCodes().stream()
                .filter(c -> c.code().equals("MESSAGE_TOO_BIG"))
                .findFirst()
                .orElseThrow()
                .description();
        assertThat(oneLine(description)).contains(frameOver()).contains(messageOver());
    }

    @Test
    void asyncApiDocument_statesTheLimitsOfLimitsJson() throws Exception {
        String doc;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(EventCatalog.BASE + "asyncapi.yaml")) {
            doc = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(oneLine(doc)).contains(frameOver()).contains(messageOver());
    }

    @Test
    void docsProtocolMd_statesTheLimitsOfLimitsJson() throws Exception {
        Path md = Path.of(System.getProperty("user.dir"))
                .resolve("../../docs/protocol.md")
                .normalize();
        String text = oneLine(Files.readString(md));
        assertThat(text)
                .contains("Frames over " + kb(ProtocolLimits.MAX_FRAME_BYTES) + " close the socket with status 1009")
                .contains("messages over " + kb(ProtocolLimits.MAX_MESSAGE_BYTES) + " likewise")
                .contains(messageOver().replace("a message", "message"));
    }

    private static String frameOver() {
        return "frame over " + kb(ProtocolLimits.MAX_FRAME_BYTES);
    }

    private static String messageOver() {
        return "a message over " + kb(ProtocolLimits.MAX_MESSAGE_BYTES);
    }

    private static String kb(int bytes) {
        assertThat(bytes % 1024)
                .as("the limits are whole KB, as the docs state them")
                .isZero();
        return bytes / 1024 + " KB";
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ");
    }
}
