package com.pyerp.realtime.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.events.ProtocolSchemas;
import java.time.Instant;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ServerFramesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode valid(String frame) {
        JsonNode n = JSON.readTree(frame);
        assertThat(ProtocolSchemas.validateServerFrame(n)).as(frame).isEmpty();
        return n;
    }

    @Test
    void ack_shouldEchoIdActionAndChannel_inTheDocumentedOrder() {
        JsonNode n = valid(
                ServerFrames.ack(new ClientCommand(ClientCommand.Action.SUBSCRIBE, "inventory.warehouse.WH-1", "c1")));

        assertThat(new ArrayList<>(n.propertyNames())).containsExactly("type", "id", "action", "channel");
        assertThat(n.get("type").asString()).isEqualTo("ack");
        assertThat(n.get("id").asString()).isEqualTo("c1");
        assertThat(n.get("action").asString()).isEqualTo("subscribe");
        assertThat(n.get("channel").asString()).isEqualTo("inventory.warehouse.WH-1");
    }

    @Test
    void ack_shouldLeaveTheIdOut_whenTheClientSentNone() {
        JsonNode n = valid(ServerFrames.ack(new ClientCommand(ClientCommand.Action.UNSUBSCRIBE, "sales.orders", null)));

        assertThat(n.has("id")).isFalse();
        assertThat(n.get("action").asString()).isEqualTo("unsubscribe");
    }

    @Test
    void pong_shouldCarryTheIdAndTheServerTime() {
        JsonNode n = valid(ServerFrames.pong(
                new ClientCommand(ClientCommand.Action.PING, null, "c3"), Instant.parse("2026-11-25T10:00:00Z")));

        assertThat(n.get("type").asString()).isEqualTo("pong");
        assertThat(n.get("id").asString()).isEqualTo("c3");
        assertThat(n.get("time").asString()).isEqualTo("2026-11-25T10:00:00Z");
    }

    @Test
    void error_shouldCarryTheCodeNameAndMessage_andEscapeJson() {
        JsonNode n = valid(ServerFrames.error(ErrorCode.CHANNEL_FORBIDDEN, "c1", "your token does not grant \"x\"\n"));

        assertThat(n.get("type").asString()).isEqualTo("error");
        assertThat(n.get("id").asString()).isEqualTo("c1");
        assertThat(n.get("code").asString()).isEqualTo("CHANNEL_FORBIDDEN");
        assertThat(n.get("message").asString()).isEqualTo("your token does not grant \"x\"\n");
        assertThat(valid(ServerFrames.error(ErrorCode.BAD_FRAME, null, "m")).has("id"))
                .isFalse();
    }

    @Test
    void apiRoutes_shouldSelectOnTheActionField_andServeEveryClientActionPlusDefault() {
        assertThat(ApiRoutes.ROUTE_SELECTION_EXPRESSION).isEqualTo("$request.body.action");
        assertThat(ApiRoutes.COMMAND_ROUTES)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(
                                ProtocolSchemas.clientActions().stream(), java.util.stream.Stream.of(ApiRoutes.DEFAULT))
                        .toList());
    }
}
