package com.pyerp.realtime.handler;

import static com.pyerp.realtime.handler.LambdaFixtures.JSON;
import static com.pyerp.realtime.handler.LambdaFixtures.context;
import static com.pyerp.realtime.handler.LambdaFixtures.event;
import static com.pyerp.realtime.handler.LambdaFixtures.toJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.core.service.ConnectionService;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.ProtocolSchemas;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CommandHandlerTest {
    private static final String CONNECTION_ID = ConnectHandlerTest.CONNECTION_ID;

    private InMemoryConnectionRegistry registry;
    private CommandHandler handler;
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() {
        JsonLog.setSink(logLines::add);
        registry = new InMemoryConnectionRegistry();
        ConnectionService service = new ConnectionService(
                registry, EventCatalog.load(), ConnectHandlerTest.CLOCK, Duration.ofHours(2), 100);
        handler = new CommandHandler(service);
        service.connect(
                CONNECTION_ID,
                new Principal(
                        "alice",
                        "acme",
                        Set.of("inventory:read", "sales:read"),
                        Map.of("warehouses", Set.of("WH-1", "WH-2"))),
                ConnectHandlerTest.CONNECTED_AT);
    }

    @AfterEach
    void restoreLogs() {
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    /** Runs the handler and returns the reply frame (the response body a two-way route sends to the client). */
    private JsonNode reply(APIGatewayV2WebSocketEvent e) {
        APIGatewayV2WebSocketResponse r = handler.handleRequest(e, context("command"));
        JsonNode response = toJson(r, APIGatewayV2WebSocketResponse.class);
        assertThat(response.get("statusCode").asInt()).isEqualTo(200);
        JsonNode frame = JSON.readTree(response.get("body").asString());
        assertThat(ProtocolSchemas.validateServerFrame(frame))
                .as(frame.toString())
                .isEmpty();
        return frame;
    }

    private static APIGatewayV2WebSocketEvent message(String body) {
        APIGatewayV2WebSocketEvent e = event("subscribe.json", APIGatewayV2WebSocketEvent.class);
        e.setBody(body);
        return e;
    }

    @Test
    void fixture_shouldCarryTheAuthorizerContextAsAMap() {
        APIGatewayV2WebSocketEvent e = event("subscribe.json", APIGatewayV2WebSocketEvent.class);

        assertThat(e.getRequestContext().getAuthorizer())
                .containsEntry("userId", "alice")
                .containsEntry("tenant", "acme");
        assertThat(e.getRequestContext().getMessageId()).isEqualTo("CxK_ZdxOliACF-w=");
    }

    @Test
    void handleRequest_shouldAckASubscribe_andStoreTheSubscription() {
        JsonNode ack = reply(event("subscribe.json", APIGatewayV2WebSocketEvent.class));

        assertThat(ack)
                .isEqualTo(
                        JSON.readTree(
                                "{\"type\":\"ack\",\"id\":\"c1\",\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-1\"}"));
        assertThat(registry.channelsOf(CONNECTION_ID, ConnectHandlerTest.CONNECTED_AT))
                .containsExactly("acme/inventory.warehouse.WH-1");
        assertThat(logLines)
                .anySatisfy(l -> assertThat(l)
                        .contains("\"routeKey\":\"subscribe\"")
                        .contains("\"connectionId\":\"" + CONNECTION_ID + "\""));
    }

    @Test
    void handleRequest_shouldAnswerBadFrame_whenTheDefaultRouteGetsBrokenJson() {
        JsonNode error = reply(event("default-bad-json.json", APIGatewayV2WebSocketEvent.class));

        assertThat(error.get("type").asString()).isEqualTo("error");
        assertThat(error.get("code").asString()).isEqualTo("BAD_FRAME");
        assertThat(registry.channelsOf(CONNECTION_ID, ConnectHandlerTest.CONNECTED_AT))
                .isEmpty();
    }

    @Test
    void handleRequest_shouldAnswerChannelForbidden_whenTheTokenDoesNotGrantTheChannel() {
        JsonNode error =
                reply(message("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-9\",\"id\":\"c2\"}"));

        assertThat(error.get("code").asString()).isEqualTo("CHANNEL_FORBIDDEN");
        assertThat(error.get("id").asString()).isEqualTo("c2");
    }

    @Test
    void handleRequest_shouldAnswerPongAndUnsubscribeAcks() {
        JsonNode pong = reply(message("{\"action\":\"ping\",\"id\":\"p1\"}"));
        JsonNode ack = reply(message("{\"action\":\"unsubscribe\",\"channel\":\"sales.orders\",\"id\":\"u1\"}"));

        assertThat(pong)
                .isEqualTo(JSON.readTree("{\"type\":\"pong\",\"id\":\"p1\",\"time\":\"2026-11-25T10:00:02Z\"}"));
        assertThat(ack)
                .isEqualTo(JSON.readTree(
                        "{\"type\":\"ack\",\"id\":\"u1\",\"action\":\"unsubscribe\",\"channel\":\"sales.orders\"}"));
    }

    @Test
    void handleRequest_shouldAnswerUnknownAction_whenTheDefaultRouteGetsAnotherAction() {
        APIGatewayV2WebSocketEvent e = message("{\"action\":\"shout\",\"channel\":\"sales.orders\",\"id\":\"x1\"}");
        e.getRequestContext().setRouteKey("$default");

        JsonNode error = reply(e);

        assertThat(error.get("code").asString()).isEqualTo("UNKNOWN_ACTION");
        assertThat(error.get("id").asString()).isEqualTo("x1");
    }

    @Test
    void handleRequest_shouldAnswerNotConnected_whenTheConnectionIsUnknownOrTheRouteHasNoAuthorizer() {
        APIGatewayV2WebSocketEvent stranger = event("subscribe.json", APIGatewayV2WebSocketEvent.class);
        stranger.getRequestContext().setConnectionId("GoneGoneGone-w=");
        APIGatewayV2WebSocketEvent noAuthorizer = event("subscribe.json", APIGatewayV2WebSocketEvent.class);
        noAuthorizer.getRequestContext().setAuthorizer(null);

        assertThat(reply(stranger).get("code").asString()).isEqualTo("NOT_CONNECTED");
        assertThat(reply(noAuthorizer).get("code").asString()).isEqualTo("NOT_CONNECTED");
    }
}
