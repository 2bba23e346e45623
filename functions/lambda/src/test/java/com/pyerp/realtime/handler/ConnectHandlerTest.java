package com.pyerp.realtime.handler;

import static com.pyerp.realtime.handler.LambdaFixtures.context;
import static com.pyerp.realtime.handler.LambdaFixtures.event;
import static com.pyerp.realtime.handler.LambdaFixtures.toJson;
import static com.pyerp.realtime.handler.LambdaFixtures.toJsonText;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.pyerp.realtime.core.auth.TestTokens;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import com.pyerp.realtime.core.service.ConnectionService;
import com.pyerp.realtime.events.EventCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ConnectHandlerTest {
    static final String CONNECTION_ID = "CxK8peoGliACF-w=";
    static final Instant CONNECTED_AT = Instant.ofEpochMilli(1795600800000L);
    static final Clock CLOCK = Clock.fixed(CONNECTED_AT.plusSeconds(2), ZoneOffset.UTC);

    private InMemoryConnectionRegistry registry;
    private ConnectHandler handler;
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() {
        JsonLog.setSink(logLines::add);
        registry = new InMemoryConnectionRegistry();
        handler = new ConnectHandler(
                new ConnectionService(registry, EventCatalog.load(), CLOCK, Duration.ofHours(2), 100));
    }

    @AfterEach
    void restoreLogs() {
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    @Test
    void handleRequest_shouldRegisterTheConnection_fromTheAuthorizerContext() {
        APIGatewayV2WebSocketEvent e = event(
                "connect.json", APIGatewayV2WebSocketEvent.class, Map.of("TOKEN_PLACEHOLDER", TestTokens.es256()));

        APIGatewayV2WebSocketResponse r = handler.handleRequest(e, context("connect"));

        assertThat(r.getStatusCode()).isEqualTo(200);
        Connection c = registry.find(CONNECTION_ID, CONNECTED_AT).orElseThrow();
        assertThat(c.principal().userId()).isEqualTo("alice");
        assertThat(c.principal().tenant()).isEqualTo("acme");
        assertThat(c.principal().roles()).containsExactlyInAnyOrder("inventory:read", "sales:read");
        assertThat(c.principal().scopes().get("warehouses")).containsExactlyInAnyOrder("WH-1", "WH-2");
        assertThat(c.connectedAt()).as("API Gateway's connectedAt").isEqualTo(CONNECTED_AT);
        assertThat(c.expiresAt()).isEqualTo(CONNECTED_AT.plus(Duration.ofHours(2)));
    }

    @Test
    void handleRequest_shouldEchoOnlyErpV1_neverTheToken() {
        String token = TestTokens.es256();
        APIGatewayV2WebSocketEvent e =
                event("connect.json", APIGatewayV2WebSocketEvent.class, Map.of("TOKEN_PLACEHOLDER", token));

        APIGatewayV2WebSocketResponse r = handler.handleRequest(e, context("connect"));

        JsonNode json = toJson(r, APIGatewayV2WebSocketResponse.class);
        assertThat(json.get("statusCode").asInt()).isEqualTo(200);
        assertThat(json.get("headers").properties()).hasSize(1);
        assertThat(json.get("headers").get("Sec-WebSocket-Protocol").asString()).isEqualTo("erp.v1");
        assertThat(toJsonText(r, APIGatewayV2WebSocketResponse.class)).doesNotContain(token);
        assertThat(logLines).allSatisfy(l -> assertThat(l).doesNotContain(token));
        assertThat(logLines).anySatisfy(l -> assertThat(l).contains("\"connectionId\":\"" + CONNECTION_ID + "\""));
    }

    @Test
    void handleRequest_shouldSetNoSubprotocol_whenTheClientOfferedNone() {
        APIGatewayV2WebSocketEvent e =
                event("connect.json", APIGatewayV2WebSocketEvent.class, Map.of("TOKEN_PLACEHOLDER", "x"));
        e.getHeaders().remove("Sec-WebSocket-Protocol");
        e.getMultiValueHeaders().remove("Sec-WebSocket-Protocol");

        APIGatewayV2WebSocketResponse r = handler.handleRequest(e, context("connect"));

        assertThat(r.getStatusCode()).isEqualTo(200);
        JsonNode json = toJson(r, APIGatewayV2WebSocketResponse.class);
        assertThat(json.has("headers")).as("no Sec-WebSocket-Protocol to echo").isFalse();
        assertThat(json.get("statusCode").asInt()).isEqualTo(200);
    }

    @Test
    void handleRequest_shouldRefuseWith403_andRegisterNothing_whenThereIsNoAuthorizerContext() {
        APIGatewayV2WebSocketEvent e =
                event("connect.json", APIGatewayV2WebSocketEvent.class, Map.of("TOKEN_PLACEHOLDER", "x"));
        e.getRequestContext().setAuthorizer(null);

        APIGatewayV2WebSocketResponse r = handler.handleRequest(e, context("connect"));

        assertThat(r.getStatusCode()).isEqualTo(403);
        assertThat(registry.size()).isZero();
    }

    @Test
    void handleRequest_shouldRefuseWith503_whenTheRegistryIsUnavailable() {
        // Simulates a DynamoDB outage, which the in-memory registry cannot produce.
        ConnectionRegistry down = (ConnectionRegistry) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ConnectionRegistry.class}, (proxy, method, args) -> {
                    throw new RegistryUnavailableException("DynamoDB unreachable", null);
                });
        ConnectHandler h =
                new ConnectHandler(new ConnectionService(down, EventCatalog.load(), CLOCK, Duration.ofHours(2), 100));
        APIGatewayV2WebSocketEvent e =
                event("connect.json", APIGatewayV2WebSocketEvent.class, Map.of("TOKEN_PLACEHOLDER", "x"));

        APIGatewayV2WebSocketResponse r = h.handleRequest(e, context("connect"));

        assertThat(toJson(r, APIGatewayV2WebSocketResponse.class)
                        .get("statusCode")
                        .asInt())
                .isEqualTo(503);
    }
}
