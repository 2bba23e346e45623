package com.pyerp.realtime.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.events.ProtocolLimits;
import com.pyerp.realtime.events.ProtocolSchemas;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ClientFramesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ProtocolException refusal(String body) {
        try {
            ClientFrames.parse(body);
        } catch (ProtocolException e) {
            return e;
        }
        throw new AssertionError(
                "frame was accepted: " + (body.length() > 200 ? body.substring(0, 200) + "..." : body));
    }

    @Test
    void parse_shouldReadASubscribe_withItsChannelAndId() throws Exception {
        ClientCommand c =
                ClientFrames.parse("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-1\",\"id\":\"c1\"}");

        assertThat(c).isEqualTo(new ClientCommand(ClientCommand.Action.SUBSCRIBE, "inventory.warehouse.WH-1", "c1"));
    }

    @Test
    void parse_shouldReadAnUnsubscribeAndAPing_whenTheIdIsOmitted() throws Exception {
        assertThat(ClientFrames.parse("{\"action\":\"unsubscribe\",\"channel\":\"sales.orders\"}"))
                .isEqualTo(new ClientCommand(ClientCommand.Action.UNSUBSCRIBE, "sales.orders", null));
        assertThat(ClientFrames.parse("{\"action\":\"ping\"}"))
                .isEqualTo(new ClientCommand(ClientCommand.Action.PING, null, null));
    }

    @Test
    void parse_shouldAcceptAnIdOfExactly64Characters() throws Exception {
        String id = "i".repeat(64);

        assertThat(ClientFrames.parse("{\"action\":\"ping\",\"id\":\"" + id + "\"}")
                        .id())
                .isEqualTo(id);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "{not json",
                "[1,2]",
                "[{\"action\":\"ping\"}]",
                "\"ping\"",
                "42",
                "null",
                "true",
                "   ",
                "{\"action\":\"ping\""
            })
    void parse_shouldRefuseWithBadFrame_whenTheFrameIsNotAJsonObject(String body) {
        ProtocolException e = refusal(body);

        assertThat(e.code()).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(e.id()).isNull();
        assertThat(e.getMessage()).isNotBlank();
    }

    @Test
    void parse_shouldRefuseWithBadFrame_whenJsonIsFollowedByMoreContent() {
        assertThat(refusal("{\"action\":\"ping\",\"id\":\"p\"} {\"action\":\"subscribe\"}")
                        .code())
                .isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Test
    void parse_shouldRefuseWithInvalidFrameAndEchoTheId_whenTheChannelIsMissing() {
        ProtocolException e = refusal("{\"action\":\"subscribe\",\"id\":\"c1\"}");

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FRAME);
        assertThat(e.id()).isEqualTo("c1");
        assertThat(e.getMessage()).contains("channel");
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "null", "[\"sales.orders\"]", "{\"name\":\"sales.orders\"}", "true"})
    void parse_shouldRefuseWithInvalidFrame_whenTheChannelIsNotAString(String channel) {
        ProtocolException e = refusal("{\"action\":\"unsubscribe\",\"channel\":" + channel + ",\"id\":\"c2\"}");

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FRAME);
        assertThat(e.id()).isEqualTo("c2");
    }

    @Test
    void parse_shouldRefuseWithInvalidFrame_whenAFieldIsUnknownForTheAction() {
        ProtocolException sub =
                refusal("{\"action\":\"subscribe\",\"channel\":\"sales.orders\",\"tenant\":\"globex\",\"id\":\"c3\"}");
        ProtocolException ping = refusal("{\"action\":\"ping\",\"channel\":\"sales.orders\",\"id\":\"c4\"}");

        assertThat(sub.code()).isEqualTo(ErrorCode.INVALID_FRAME);
        assertThat(sub.id()).isEqualTo("c3");
        assertThat(sub.getMessage()).contains("'tenant'");
        assertThat(ping.code()).isEqualTo(ErrorCode.INVALID_FRAME);
        assertThat(ping.id()).isEqualTo("c4");
        assertThat(ping.getMessage()).contains("'channel'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "null", "true", "{\"x\":1}", "[\"a\"]", "\"LONG\""})
    void parse_shouldRefuseWithInvalidFrameAndNoId_whenTheIdIsNotAShortString(String id) {
        String value = id.replace("LONG", "i".repeat(65));
        ProtocolException e = refusal("{\"action\":\"ping\",\"id\":" + value + "}");

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FRAME);
        assertThat(e.id()).isNull();
        assertThat(e.getMessage()).contains("64");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"id\":\"c5\"}",
                "{\"action\":\"shout\",\"id\":\"c5\"}",
                "{\"action\":\"SUBSCRIBE\",\"id\":\"c5\"}",
                "{\"action\":42,\"id\":\"c5\"}",
                "{\"action\":null,\"id\":\"c5\"}",
                "{\"action\":\"\",\"id\":\"c5\"}"
            })
    void parse_shouldRefuseWithUnknownActionAndEchoTheId_whenTheActionIsMissingOrUnknown(String body) {
        ProtocolException e = refusal(body);

        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_ACTION);
        assertThat(e.id()).isEqualTo("c5");
    }

    @Test
    void parse_shouldRefuseWithMessageTooBig_whenTheMessageIsOver128Kilobytes() {
        String body = "{\"action\":\"ping\",\"id\":\"" + "x".repeat(ProtocolLimits.MAX_MESSAGE_BYTES) + "\"}";

        assertThat(refusal(body).code()).isEqualTo(ErrorCode.MESSAGE_TOO_BIG);
    }

    @Test
    void parse_shouldCountBytesNotCharacters_whenTheFrameHoldsMultiByteCharacters() {
        // 50,000 three-byte characters: 150,000 UTF-8 bytes on the wire, though only 50,000 Java chars
        String body = "{\"action\":\"subscribe\",\"channel\":\"" + "\u20ac".repeat(50_000) + "\"}";

        assertThat(refusal(body).code()).isEqualTo(ErrorCode.MESSAGE_TOO_BIG);
    }

    @Test
    void parse_shouldAcceptAMessageOfExactlyTheLimit() throws Exception {
        String prefix = "{\"action\":\"ping\",\"id\":\"p\"";
        String body = prefix + " ".repeat(ProtocolLimits.MAX_MESSAGE_BYTES - prefix.length() - 1) + "}";

        assertThat(body).hasSize(ProtocolLimits.MAX_MESSAGE_BYTES);
        assertThat(ClientFrames.parse(body).id()).isEqualTo("p");
        assertThat(refusal(body + " ").code()).isEqualTo(ErrorCode.MESSAGE_TOO_BIG);
    }

    @Test
    void overLimit_shouldCountUtf8Bytes_includingSurrogatePairsAsFour() {
        int max = ProtocolLimits.MAX_MESSAGE_BYTES;
        String emoji = "\uD83D\uDE00"; // one code point, two chars, four bytes

        assertThat(ClientFrames.overLimit("a".repeat(max))).isFalse();
        assertThat(ClientFrames.overLimit("\u00e9".repeat(max / 2))).isFalse();
        assertThat(ClientFrames.overLimit("\u00e9".repeat(max / 2) + "a")).isTrue();
        assertThat(ClientFrames.overLimit(emoji.repeat(max / 4))).isFalse();
        assertThat(ClientFrames.overLimit(emoji.repeat(max / 4) + "a")).isTrue();
    }

    @Test
    void parse_shouldRefuseWithInvalidFrame_whenTheChannelIsEmptyOrLongerThanTheSchemaAllows() {
        ProtocolException empty = refusal("{\"action\":\"subscribe\",\"channel\":\"\",\"id\":\"c6\"}");
        ProtocolException huge = refusal("{\"action\":\"subscribe\",\"channel\":\""
                + "c".repeat(ClientFrames.MAX_CHANNEL_FIELD_LENGTH + 1) + "\"}");

        assertThat(empty.code()).isEqualTo(ErrorCode.INVALID_FRAME);
        assertThat(empty.id()).isEqualTo("c6");
        assertThat(huge.code()).isEqualTo(ErrorCode.INVALID_FRAME);
    }

    /**
     * ClientFrames and protocol/client-frame.schema.json must agree: a frame the schema accepts is accepted, and a
     * frame it refuses gets the code the schema's description names (BAD_FRAME, UNKNOWN_ACTION, else INVALID_FRAME).
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"action\":\"subscribe\",\"channel\":\"sales.orders\"}",
                "{\"action\":\"subscribe\",\"channel\":\"sales.orders\",\"id\":\"a\"}",
                "{\"action\":\"subscribe\",\"channel\":\"not a valid channel!\"}",
                "{\"action\":\"unsubscribe\",\"channel\":\"x\",\"id\":\"\"}",
                "{\"action\":\"ping\"}",
                "{\"action\":\"ping\",\"id\":\"p1\"}",
                "{\"action\":\"subscribe\"}",
                "{\"action\":\"subscribe\",\"channel\":\"\"}",
                "{\"action\":\"subscribe\",\"channel\":\"LONG1024\"}",
                "{\"action\":\"subscribe\",\"channel\":\"LONG1025\"}",
                "{\"action\":\"subscribe\",\"channel\":7}",
                "{\"action\":\"unsubscribe\",\"channel\":\"x\",\"extra\":1}",
                "{\"action\":\"ping\",\"channel\":\"x\"}",
                "{\"action\":\"ping\",\"id\":5}",
                "{\"action\":\"nope\"}",
                "{}",
            })
    void parse_shouldAgreeWithTheClientFrameSchema(String template) {
        String body = template.replace("LONG1024", "c".repeat(1024)).replace("LONG1025", "c".repeat(1025));
        JsonNode frame = JSON.readTree(body);
        List<String> schemaErrors = ProtocolSchemas.validateClientFrame(frame);
        ErrorCode code;
        try {
            ClientFrames.parse(body);
            code = null;
        } catch (ProtocolException e) {
            code = e.code();
        }

        if (schemaErrors.isEmpty()) {
            assertThat(code).as("schema accepts %s", body).isNull();
        } else {
            String action =
                    frame.path("action").isString() ? frame.get("action").asString() : null;
            ErrorCode expected = ProtocolSchemas.clientActions().contains(action)
                    ? ErrorCode.INVALID_FRAME
                    : ErrorCode.UNKNOWN_ACTION;
            assertThat(code).as("schema refuses %s: %s", body, schemaErrors).isEqualTo(expected);
        }
    }

    @Test
    void protocolException_shouldCarryCodeIdAndMessage() {
        ProtocolException e = new ProtocolException(ErrorCode.CHANNEL_FORBIDDEN, "c9", "no");

        assertThat(e.code()).isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
        assertThat(e.id()).isEqualTo("c9");
        assertThatThrownBy(() -> {
                    throw e;
                })
                .hasMessage("no");
    }
}
