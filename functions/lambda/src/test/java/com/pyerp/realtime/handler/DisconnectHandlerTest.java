package com.pyerp.realtime.handler;

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
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DisconnectHandlerTest {
    private InMemoryConnectionRegistry registry;
    private ConnectionService service;
    private DisconnectHandler handler;

    @BeforeEach
    void setUp() {
        JsonLog.setSink(line -> {});
        registry = new InMemoryConnectionRegistry();
        service = new ConnectionService(
                registry, EventCatalog.load(), ConnectHandlerTest.CLOCK, Duration.ofHours(2), 100);
        handler = new DisconnectHandler(service);
        Principal alice = new Principal(
                "alice", "acme", Set.of("inventory:read", "sales:read"), Map.of("warehouses", Set.of("WH-1")));
        service.connect(ConnectHandlerTest.CONNECTION_ID, alice, ConnectHandlerTest.CONNECTED_AT);
        service.handle(
                ConnectHandlerTest.CONNECTION_ID,
                alice,
                "{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-1\"}");
        service.handle(
                ConnectHandlerTest.CONNECTION_ID, alice, "{\"action\":\"subscribe\",\"channel\":\"sales.orders\"}");
        // another connection of the same user stays
        service.connect("other-tab", alice, ConnectHandlerTest.CONNECTED_AT);
        service.handle("other-tab", alice, "{\"action\":\"subscribe\",\"channel\":\"sales.orders\"}");
    }

    @AfterEach
    void restoreLogs() {
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    @Test
    void fixture_shouldDeserialize_despiteTheDisconnectFieldsTheEventClassLacks() {
        APIGatewayV2WebSocketEvent e = event("disconnect.json", APIGatewayV2WebSocketEvent.class);

        assertThat(e.getRequestContext().getRouteKey()).isEqualTo("$disconnect");
        assertThat(e.getRequestContext().getEventType()).isEqualTo("DISCONNECT");
        assertThat(e.getRequestContext().getConnectionId()).isEqualTo(ConnectHandlerTest.CONNECTION_ID);
    }

    @Test
    void handleRequest_shouldRemoveTheConnectionAndItsSubscriptions() {
        APIGatewayV2WebSocketResponse r = handler.handleRequest(
                event("disconnect.json", APIGatewayV2WebSocketEvent.class), context("disconnect"));

        assertThat(toJson(r, APIGatewayV2WebSocketResponse.class)
                        .get("statusCode")
                        .asInt())
                .isEqualTo(200);
        assertThat(registry.find(ConnectHandlerTest.CONNECTION_ID, ConnectHandlerTest.CONNECTED_AT))
                .isEmpty();
        assertThat(registry.channelsOf(ConnectHandlerTest.CONNECTION_ID, ConnectHandlerTest.CONNECTED_AT))
                .isEmpty();
        assertThat(registry.channelSizes()).isEqualTo(Map.of("acme/sales.orders", 1));
        assertThat(registry.find("other-tab", ConnectHandlerTest.CONNECTED_AT)).isPresent();
    }

    @Test
    void handleRequest_shouldBeIdempotent_whenDisconnectArrivesTwice() {
        handler.handleRequest(event("disconnect.json", APIGatewayV2WebSocketEvent.class), context("disconnect"));

        APIGatewayV2WebSocketResponse again = handler.handleRequest(
                event("disconnect.json", APIGatewayV2WebSocketEvent.class), context("disconnect"));

        assertThat(again.getStatusCode()).isEqualTo(200);
        assertThat(registry.size()).isEqualTo(1);
    }
}
