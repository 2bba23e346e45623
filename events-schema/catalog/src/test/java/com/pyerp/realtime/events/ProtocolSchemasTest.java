package com.pyerp.realtime.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ProtocolSchemasTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static List<String> client(String frame) {
        return ProtocolSchemas.validateClientFrame(JSON.readTree(frame));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-1\",\"id\":\"c1\"}",
                "{\"action\":\"subscribe\",\"channel\":\"sales.orders\"}",
                "{\"action\":\"unsubscribe\",\"channel\":\"sales.orders\",\"id\":\"\"}",
                "{\"action\":\"ping\"}",
                "{\"action\":\"ping\",\"id\":\"1234567890123456789012345678901234567890123456789012345678901234\"}",
                // the channel grammar is checked after the schema, so that a malformed channel gets INVALID_CHANNEL
                "{\"action\":\"subscribe\",\"channel\":\"not a channel\"}"
            })
    void validClientFrames(String frame) {
        assertThat(client(frame)).isEmpty();
    }

    @Test
    void invalidClientFrames_getOneClearMessageEach() {
        assertThat(client("{\"action\":\"subscribe\",\"id\":\"c1\"}"))
                .containsExactly("$: required property 'channel' not found");
        assertThat(client("{\"action\":\"unsubscribe\",\"channel\":7}"))
                .containsExactly("$.channel: integer found, string expected");
        assertThat(client("{\"action\":\"ping\",\"channel\":\"sales.orders\"}"))
                .containsExactly(
                        "$: property 'channel' is not defined in the schema and the schema does not allow additional properties");
        assertThat(client("{\"action\":\"ping\",\"id\":\"" + "x".repeat(65) + "\"}"))
                .containsExactly("$.id: must be at most 64 characters long");
        assertThat(client("{\"action\":\"ping\",\"id\":5}")).containsExactly("$.id: integer found, string expected");
        assertThat(client("{\"action\":\"subscribe\",\"channel\":\"\"}"))
                .containsExactly("$.channel: must be at least 1 characters long");
    }

    @Test
    void unknownOrMissingAction_andNonObjects() {
        assertThat(client("{\"action\":\"shout\",\"channel\":\"x\"}"))
                .containsExactly(
                        "$.action: must be one of subscribe, unsubscribe, ping, refresh, presence, publish, got \"shout\"");
        assertThat(client("{\"channel\":\"x\"}"))
                .containsExactly(
                        "$.action: must be one of subscribe, unsubscribe, ping, refresh, presence, publish (missing)");
        assertThat(client("{\"action\":1}"))
                .containsExactly(
                        "$.action: must be one of subscribe, unsubscribe, ping, refresh, presence, publish, got 1");
        assertThat(client("[1,2]")).containsExactly("$: the frame must be a JSON object");
        assertThat(ProtocolSchemas.validateClientFrame(null)).containsExactly("$: the frame must be a JSON object");
    }

    @Test
    void wholeSchema_agreesWithThePerActionValidation() {
        // the per-action branch is the schema's own oneOf branch: check with the full document too
        JsonNode schemaDoc = EventCatalog.readTree(EventCatalog.BASE + ProtocolSchemas.CLIENT_FRAME);
        assertThat(schemaDoc.path("oneOf"))
                .hasSize(ProtocolSchemas.clientActions().size());
        assertThat(ProtocolSchemas.clientActions())
                .containsExactly("subscribe", "unsubscribe", "ping", "refresh", "presence", "publish");
        assertThat(ProtocolSchemas.serverFrameTypes())
                .containsExactly("ack", "error", "pong", "refreshed", "event", "presence", "join", "leave", "message");
    }

    @Test
    void serverFrames() {
        assertThat(
                        ProtocolSchemas.validateServerFrame(
                                JSON.readTree(
                                        "{\"type\":\"ack\",\"id\":\"c1\",\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-1\"}")))
                .isEmpty();
        assertThat(ProtocolSchemas.validateServerFrame(JSON.readTree(
                        "{\"type\":\"error\",\"id\":\"c1\",\"code\":\"CHANNEL_FORBIDDEN\",\"message\":\"no\"}")))
                .isEmpty();
        assertThat(ProtocolSchemas.validateServerFrame(
                        JSON.readTree("{\"type\":\"pong\",\"time\":\"2026-11-25T10:00:00Z\"}")))
                .isEmpty();
        assertThat(ProtocolSchemas.validateServerFrame(
                        JSON.readTree("{\"type\":\"error\",\"code\":\"UNAUTHORIZED\",\"message\":\"no\"}")))
                .singleElement()
                .asString()
                .startsWith("$.code: does not have a value in the enumeration");
        assertThat(ProtocolSchemas.validateServerFrame(JSON.readTree("{\"type\":\"pong\",\"time\":\"now\"}")))
                .singleElement()
                .asString()
                .startsWith("$.time:");
        assertThat(ProtocolSchemas.validateServerFrame(
                        JSON.readTree("{\"type\":\"ack\",\"action\":\"ping\",\"channel\":\"x\"}")))
                .singleElement()
                .asString()
                .startsWith("$.action:");
    }

    @Test
    void errorFrameCodes_areTheCataloguesFrameCodes() {
        JsonNode codeEnum = EventCatalog.readTree(EventCatalog.BASE + ProtocolSchemas.SERVER_FRAME)
                .path("definitions")
                .path("error")
                .path("properties")
                .path("code")
                .path("enum");
        List<String> inSchema =
                JSON.convertValue(codeEnum, JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        List<String> frameCodes = ProtocolSchemas.errorCodes().stream()
                .filter(c -> c.delivery().equals("frame"))
                .map(ProtocolSchemas.ErrorCodeInfo::code)
                .collect(Collectors.toList());
        assertThat(inSchema).isEqualTo(frameCodes);
    }

    @Test
    void errorCatalogue_isStableAndWellFormed() {
        assertThat(ProtocolSchemas.errorCodes())
                .extracting(ProtocolSchemas.ErrorCodeInfo::number)
                .doesNotHaveDuplicates();
        for (ProtocolSchemas.ErrorCodeInfo c : ProtocolSchemas.errorCodes()) {
            assertThat(c.code()).matches("[A-Z][A-Z_]+");
            assertThat(c.delivery()).isIn("frame", "close", "handshake");
            assertThat(c.description()).isNotBlank();
            if (c.delivery().equals("frame")) assertThat(c.number()).isBetween(4000, 4999);
            else assertThat(c.keepsConnection()).isFalse();
        }
    }
}
