package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.aws.dynamo.Dynalite;
import com.pyerp.realtime.core.registry.ChannelKey;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import tools.jackson.databind.JsonNode;

/** {@code --registry dynamodb} against a real DynamoDB API server (dynalite, started on a free port). */
@Timeout(120)
class LocalGatewayDynamoDbTest {

    @Test
    void dynamodbRegistry_createsTheTables_andCarriesTheWholePath(@TempDir Path dir) throws Exception {
        try (Dynalite dynalite = Dynalite.start();
                LocalGateway gw = LocalGateway.startEphemeral(
                        TestGateways.onDynalite(dir, dynalite).build());
                EventBridgeClient events = TestGateways.events(gw)) {
            assertThat(dynalite.client().listTables().tableNames())
                    .contains("pyerp-realtime-connections", "pyerp-realtime-subscriptions");
            WebSocketClient ws = new WebSocketClient();
            ws.start();
            try {
                TestSocket s = new TestSocket();
                ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
                req.setSubProtocols(
                        "erp.v1",
                        gw.mintToken("dyn-user", "acme", List.of("sales:read"), List.of(), Duration.ofMinutes(5)));
                ws.connect(s, req).get();
                assertThat(s.command("{\"action\":\"subscribe\",\"channel\":\"sales.orders\"}")
                                .path("type")
                                .asString())
                        .isEqualTo("ack");
                String id = gw.registry()
                        .connectionsOf("acme", "dyn-user", Instant.now())
                        .get(0)
                        .connectionId();
                assertThat(gw.registry().channelsOf(id, Instant.now()))
                        .containsExactly(ChannelKey.of("acme", "sales.orders"));

                events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                        .eventBusName("erp-events")
                        .source("pyerp.sales")
                        .detailType("OrderStatusChanged")
                        .detail(
                                "{\"tenantId\":\"acme\",\"orderId\":\"SO-7\",\"status\":\"shipped\",\"changedAt\":\"2026-11-25T10:16:00Z\"}")
                        .build()));
                JsonNode event = s.next();
                assertThat(event.path("channel").asString()).isEqualTo("sales.orders");
                assertThat(event.path("data").path("orderId").asString()).isEqualTo("SO-7");

                s.close();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (gw.registry().find(id, Instant.now()).isPresent()
                        || !gw.registry().channelsOf(id, Instant.now()).isEmpty()) {
                    if (System.nanoTime() > deadline)
                        throw new AssertionError("the DynamoDB registry still holds " + id);
                    Thread.sleep(50);
                }
                assertThat(dynalite.client()
                                .scan(b -> b.tableName("pyerp-realtime-subscriptions"))
                                .items())
                        .noneMatch(item -> item.get("connectionId").s().equals(id));
            } finally {
                ws.stop();
            }
        }
    }

    @Test
    void dynamodbEndpointDown_givesAClearStartupError(@TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + closedPort;
        assertThatThrownBy(() -> LocalGateway.startEphemeral(TestGateways.config(dir)
                        .registry(LocalGatewayConfig.Registry.DYNAMODB)
                        .processEnv(Map.of("AWS_ENDPOINT_URL_DYNAMODB", endpoint))
                        .build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("--registry dynamodb: cannot use DynamoDB at " + endpoint)
                .hasMessageContaining("AWS_ENDPOINT_URL_DYNAMODB");
    }
}
