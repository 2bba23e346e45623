package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.registry.ChannelKey;
import com.pyerp.realtime.core.registry.Connection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GetConnectionResponse;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PayloadTooLargeException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import tools.jackson.databind.JsonNode;

/**
 * The whole path, end to end, with real components: the local gateway on port 0, Jetty's WebSocket client,
 * tokens minted by the gateway and verified through its JWKS URL, and the real AWS SDK v2 clients
 * (EventBridge PutEvents, API Gateway Management API) pointed at the gateway.
 */
@Timeout(120)
class LocalGatewayEndToEndTest {
    static LocalGateway gw;
    static WebSocketClient ws;
    static EventBridgeClient events;
    static ApiGatewayManagementApiClient management;
    /** The gateway's log: printed only for a failed test; {@code logs} is every line, for assertions. */
    @RegisterExtension
    static final GatewayLogs LOGS = new GatewayLogs();

    static final List<String> logs = LOGS.all();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        gw = LocalGateway.startEphemeral(TestGateways.config(dir).build());
        ws = new WebSocketClient();
        ws.start();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        events = EventBridgeClient.builder()
                .endpointOverride(URI.create(gw.eventBridgeUrl()))
                .region(Region.US_EAST_1)
                .credentialsProvider(creds)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        management = ApiGatewayManagementApiClient.builder()
                .endpointOverride(URI.create(gw.baseUrl() + "/local"))
                .region(Region.US_EAST_1)
                .credentialsProvider(creds)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (events != null) events.close();
        if (management != null) management.close();
        if (ws != null) ws.stop();
        if (gw != null) gw.close();
    }

    static String token(String sub, String tenant, List<String> roles, List<String> warehouses) {
        return gw.mintToken(sub, tenant, roles, warehouses, Duration.ofMinutes(10));
    }

    static TestSocket connect(String token) throws Exception {
        TestSocket s = new TestSocket();
        ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
        req.setSubProtocols("erp.v1", token);
        ws.connect(s, req).get();
        return s;
    }

    static int refusedStatus(ClientUpgradeRequest req) {
        return refusedStatus(ws, req);
    }

    static int refusedStatus(WebSocketClient client, ClientUpgradeRequest req) {
        try {
            client.connect(new TestSocket(), req).get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c != null && !(c instanceof UpgradeException)) c = c.getCause();
            if (c != null) return ((UpgradeException) c).getResponseStatusCode();
            throw new AssertionError("handshake failed without an HTTP status", e);
        } catch (InterruptedException | java.io.IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("handshake unexpectedly succeeded");
    }

    static String stockDetail(String tenant, String warehouse) {
        return "{\"tenantId\":\"" + tenant + "\",\"warehouseId\":\"" + warehouse
                + "\",\"sku\":\"SKU-1001\",\"onHand\":42,"
                + "\"available\":40,\"unitCost\":12.5,\"changedAt\":\"2026-11-25T10:15:00Z\"}";
    }

    static PutEventsResponse publish(String source, String detailType, String detail) {
        return events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                .eventBusName("erp-events")
                .source(source)
                .detailType(detailType)
                .detail(detail)
                .build()));
    }

    static String connectionIdOf(String tenant, String user) {
        List<Connection> cs = gw.registry().connectionsOf(tenant, user, Instant.now());
        assertThat(cs).as("connections of %s/%s", tenant, user).hasSize(1);
        return cs.get(0).connectionId();
    }

    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not true within 10 s: " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void subscribedClient_receivesEventPublishedWithTheEventBridgeSdk() throws Exception {
        TestSocket s = connect(token("e2e-alice", "acme", List.of("inventory:read"), List.of("WH-1")));
        assertThat(s.acceptedSubprotocol()).isEqualTo("erp.v1");
        JsonNode ack = s.command("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-1\",\"id\":\"c1\"}");
        assertThat(ack.path("type").asString()).isEqualTo("ack");
        assertThat(ack.path("id").asString()).isEqualTo("c1");

        PutEventsResponse put = publish("pyerp.inventory", "StockLevelChanged", stockDetail("acme", "WH-1"));
        assertThat(put.failedEntryCount()).isZero();
        String eventId = put.entries().get(0).eventId();

        JsonNode event = s.next();
        assertThat(event.path("type").asString()).isEqualTo("event");
        assertThat(event.path("channel").asString()).isEqualTo("inventory.warehouse.WH-1");
        assertThat(event.path("eventType").asString()).isEqualTo("StockLevelChanged");
        assertThat(event.path("source").asString()).isEqualTo("pyerp.inventory");
        assertThat(event.path("eventId").asString()).isEqualTo(eventId);
        assertThat(event.path("correlationId").asString()).isEqualTo(eventId);
        assertThat(event.path("data").path("sku").asString()).isEqualTo("SKU-1001");
        assertThat(event.path("data").has("unitCost"))
                .as("unitCost needs inventory:cost")
                .isFalse();
        // the correlation id follows the event into the dispatcher's structured logs
        eventually(
                "a dispatch log line with the correlation id",
                () -> logs.stream()
                        .anyMatch(l ->
                                l.contains("\"correlationId\":\"" + eventId + "\"") && l.contains("event fanned out")));
        s.close();
    }

    @Test
    void badExpiredOrWrongAudienceToken_isRefusedWith401_andNothingIsRegistered() {
        List<String> tokens = List.of(
                "not-a-jwt",
                gw.mintToken("e2e-x", "acme", List.of("inventory:read"), List.of(), Duration.ofMinutes(-5)),
                gw.mintToken(
                        "e2e-x", "acme", List.of("inventory:read"), List.of(), Duration.ofMinutes(5), "someone-else"));
        for (String t : tokens) {
            ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
            req.setSubProtocols("erp.v1", t);
            assertThat(refusedStatus(req)).isEqualTo(401);
        }
        assertThat(refusedStatus(new ClientUpgradeRequest(URI.create(gw.webSocketUrl()))))
                .as("no token at all")
                .isEqualTo(401);
        // nothing registered for the refused user (a count of all connections would race with other tests' disconnects)
        assertThat(gw.registry().connectionsOf("acme", "e2e-x", Instant.now())).isEmpty();
        assertThat(logs).noneMatch(l -> l.contains("\"message\":\"connected\"") && l.contains("\"userId\":\"e2e-x\""));
        assertThat(logs).noneMatch(l -> tokens.stream().skip(1).anyMatch(l::contains));
    }

    @Test
    void tokenInQueryParameter_isAccepted_andRedactedFromLogs() throws Exception {
        String t = token("e2e-query", "acme", List.of(), List.of());
        TestSocket s = new TestSocket();
        ws.connect(s, new ClientUpgradeRequest(URI.create(gw.webSocketUrl() + "?token=" + t)))
                .get();
        assertThat(s.command("{\"action\":\"ping\"}").path("type").asString()).isEqualTo("pong");
        assertThat(logs).noneMatch(l -> l.contains(t));
        assertThat(logs).anyMatch(l -> l.contains("token=REDACTED"));
        s.close();
    }

    @Test
    void disallowedOrigin_isRefusedWith403() {
        ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
        req.setSubProtocols("erp.v1", token("e2e-origin", "acme", List.of(), List.of()));
        req.setHeader("Origin", "https://evil.example");
        assertThat(refusedStatus(req)).isEqualTo(403);
    }

    @Test
    void forbiddenChannel_getsAnErrorCode_andNoDelivery_andOtherTenantsGetNothing() throws Exception {
        TestSocket allowed = connect(token("e2e-bob", "acme", List.of("inventory:read"), List.of("WH-2")));
        TestSocket forbidden = connect(token("e2e-carol", "acme", List.of("inventory:read"), List.of("WH-1")));
        TestSocket otherTenant = connect(token("e2e-dave", "globex", List.of("inventory:read"), List.of("*")));
        assertThat(allowed.command("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-2\"}")
                        .path("type")
                        .asString())
                .isEqualTo("ack");
        JsonNode refused =
                forbidden.command("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-2\",\"id\":\"f\"}");
        assertThat(refused.path("type").asString()).isEqualTo("error");
        assertThat(refused.path("code").asString()).isEqualTo("CHANNEL_FORBIDDEN");
        assertThat(refused.path("id").asString()).isEqualTo("f");
        assertThat(otherTenant
                        .command("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-2\"}")
                        .path("type")
                        .asString())
                .isEqualTo("ack");

        publish("pyerp.inventory", "StockLevelChanged", stockDetail("acme", "WH-2"));
        assertThat(allowed.next().path("channel").asString()).isEqualTo("inventory.warehouse.WH-2");
        assertThat(forbidden.poll(Duration.ofMillis(500))).isNull();
        assertThat(otherTenant.poll(Duration.ofMillis(200))).isNull();
        allowed.close();
        forbidden.close();
        otherTenant.close();
    }

    @Test
    void malformedJsonAndUnknownAction_getErrorReplies_andTheConnectionStays() throws Exception {
        TestSocket s = connect(token("e2e-erin", "acme", List.of(), List.of()));
        assertThat(s.command("{oops").path("code").asString()).isEqualTo("BAD_FRAME");
        assertThat(s.command("[1,2]").path("code").asString()).isEqualTo("BAD_FRAME");
        assertThat(s.command("{\"action\":\"dance\",\"id\":\"d\"}").path("code").asString())
                .isEqualTo("UNKNOWN_ACTION");
        assertThat(s.command("{\"action\":\"subscribe\"}").path("code").asString())
                .isEqualTo("INVALID_FRAME");
        assertThat(s.command("{\"action\":\"subscribe\",\"channel\":\"no/slashes\"}")
                        .path("code")
                        .asString())
                .isEqualTo("INVALID_CHANNEL");
        assertThat(s.command("{\"action\":\"subscribe\",\"channel\":\"nothing.like.this\"}")
                        .path("code")
                        .asString())
                .isEqualTo("UNKNOWN_CHANNEL");
        JsonNode pong = s.command("{\"action\":\"ping\",\"id\":\"p1\"}");
        assertThat(pong.path("type").asString()).isEqualTo("pong");
        assertThat(pong.path("id").asString()).isEqualTo("p1");
        assertThat(s.isOpen()).isTrue();
        s.close();
    }

    @Test
    void frameOver32KB_closesTheSocketWith1009() throws Exception {
        TestSocket s = connect(token("e2e-frank", "acme", List.of(), List.of()));
        s.send("{\"action\":\"ping\",\"id\":\"" + "x".repeat(33 * 1024) + "\"}");
        assertThat(s.awaitClose(Duration.ofSeconds(10))).isEqualTo(1009);
    }

    @Test
    void connectionsApi_postGetDelete_andGoneAfterwards_throughTheSdk() throws Exception {
        TestSocket s = connect(token("e2e-gina", "acme", List.of(), List.of()));
        String id = connectionIdOf("acme", "e2e-gina");

        GetConnectionResponse info = management.getConnection(b -> b.connectionId(id));
        assertThat(info.connectedAt()).isBefore(Instant.now().plusSeconds(1));
        assertThat(info.identity().sourceIp()).isEqualTo("127.0.0.1");
        assertThat(info.lastActiveAt()).isNotNull();

        management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("{\"hello\":1}")));
        assertThat(s.next().path("hello").asInt()).isEqualTo(1);

        byte[] big = new byte[128 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) 'a');
        assertThatThrownBy(() ->
                        management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromByteArray(big))))
                .isInstanceOf(PayloadTooLargeException.class);

        management.deleteConnection(b -> b.connectionId(id));
        s.awaitClose(Duration.ofSeconds(10));
        assertThatThrownBy(() ->
                        management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("x"))))
                .isInstanceOf(GoneException.class);
        assertThatThrownBy(() -> management.getConnection(b -> b.connectionId(id)))
                .isInstanceOf(GoneException.class);
        assertThatThrownBy(() -> management.postToConnection(
                        b -> b.connectionId("never-existed").data(SdkBytes.fromUtf8String("x"))))
                .isInstanceOf(GoneException.class);
    }

    @Test
    void clientDisconnect_removesTheConnectionAndItsSubscriptions() throws Exception {
        TestSocket s = connect(token("e2e-hank", "acme", List.of("sales:read"), List.of()));
        assertThat(s.command("{\"action\":\"subscribe\",\"channel\":\"sales.orders\"}")
                        .path("type")
                        .asString())
                .isEqualTo("ack");
        String id = connectionIdOf("acme", "e2e-hank");
        assertThat(gw.registry().channelsOf(id, Instant.now())).containsExactly(ChannelKey.of("acme", "sales.orders"));
        s.close();
        eventually(
                "the registry forgets the connection",
                () -> gw.registry().find(id, Instant.now()).isEmpty());
        eventually(
                "the subscription is gone",
                () -> gw.registry()
                        .subscribers(ChannelKey.of("acme", "sales.orders"), Instant.now())
                        .noneMatch(sub -> sub.connectionId().equals(id)));
    }

    @Test
    void putEvents_enforcesAwsLimits_andReportsPerEntryErrors() {
        List<PutEventsRequestEntry> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(PutEventsRequestEntry.builder()
                    .source("pyerp.inventory")
                    .detailType("StockLevelChanged")
                    .detail("{}")
                    .build());
        }
        assertThatThrownBy(() -> events.putEvents(b -> b.entries(eleven)))
                .isInstanceOfSatisfying(
                        EventBridgeException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"));

        PutEventsResponse r = events.putEvents(b -> b.entries(
                PutEventsRequestEntry.builder()
                        .eventBusName("erp-events")
                        .source("pyerp.inventory")
                        .detailType("StockLevelChanged")
                        .detail("{not json")
                        .build(),
                PutEventsRequestEntry.builder()
                        .eventBusName("no-such-bus")
                        .source("pyerp.inventory")
                        .detailType("StockLevelChanged")
                        .detail("{}")
                        .build(),
                PutEventsRequestEntry.builder()
                        .eventBusName("erp-events")
                        .source("pyerp.sales")
                        .detailType("OrderStatusChanged")
                        .detail(
                                "{\"tenantId\":\"acme\",\"orderId\":\"SO-1\",\"status\":\"picking\",\"changedAt\":\"2026-11-25T10:16:00Z\"}")
                        .build()));
        assertThat(r.failedEntryCount()).isEqualTo(1);
        assertThat(r.entries().get(0).errorCode()).isEqualTo("MalformedDetail");
        // like AWS: an entry for a bus that does not exist gets an EventId and is dropped; locally a warning names it
        assertThat(r.entries().get(1).errorCode()).isNull();
        assertThat(r.entries().get(1).eventId()).isNotBlank();
        assertThat(logs)
                .anyMatch(l ->
                        l.contains("event bus that does not exist") && l.contains("\"eventBusName\":\"no-such-bus\""));
        assertThat(r.entries().get(2).eventId()).isNotBlank();
    }

    @Test
    void staleStockUpdates_arrivingAfterANewerOne_areDropped_soTheClientKeepsTheLatestValue() throws Exception {
        TestSocket s = connect(token("e2e-jack", "acme", List.of("inventory:read"), List.of("WH-7")));
        assertThat(s.command("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-7\"}")
                        .path("type")
                        .asString())
                .isEqualTo("ack");
        String newest =
                "{\"tenantId\":\"acme\",\"warehouseId\":\"WH-7\",\"sku\":\"SKU-7\",\"onHand\":4,\"available\":4,"
                        + "\"changedAt\":\"2026-11-25T10:15:00.400Z\"}";
        publish("pyerp.inventory", "StockLevelChanged", newest);
        assertThat(s.next().path("data").path("onHand").asInt()).isEqualTo(4);

        // four older changes of the same warehouse/SKU arrive late (EventBridge does not keep order)
        List<PutEventsRequestEntry> late = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            late.add(PutEventsRequestEntry.builder()
                    .eventBusName("erp-events")
                    .source("pyerp.inventory")
                    .detailType("StockLevelChanged")
                    .detail("{\"tenantId\":\"acme\",\"warehouseId\":\"WH-7\",\"sku\":\"SKU-7\",\"onHand\":" + i
                            + ",\"available\":" + i + ",\"changedAt\":\"2026-11-25T10:15:00." + i + "00Z\"}")
                    .build());
        }
        assertThat(events.putEvents(b -> b.entries(late)).failedEntryCount()).isZero();
        eventually(
                "the late events are dispatched and found superseded",
                () -> logs.stream().anyMatch(l -> l.contains("superseded event dropped") && l.contains("WH-7/SKU-7")));
        assertThat(s.poll(Duration.ofMillis(300)))
                .as("no stale value reaches the client")
                .isNull();
        s.close();
    }

    @Test
    void burstOfStockUpdates_isThrottled_leadingAndTrailingEdge_andTheLatestArrives() throws Exception {
        TestSocket s = connect(token("e2e-kim", "acme", List.of("inventory:read"), List.of("WH-8")));
        assertThat(s.command("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-8\"}")
                        .path("type")
                        .asString())
                .isEqualTo("ack");
        // five changes of one warehouse/SKU within 50 ms, published in one PutEvents: the first batch goes out at once
        // (leading edge), the rest of the key's window is held and only the latest arrives when it ends (trailing edge)
        List<PutEventsRequestEntry> burst = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            burst.add(PutEventsRequestEntry.builder()
                    .eventBusName("erp-events")
                    .source("pyerp.inventory")
                    .detailType("StockLevelChanged")
                    .detail("{\"tenantId\":\"acme\",\"warehouseId\":\"WH-8\",\"sku\":\"SKU-8\",\"onHand\":" + (10 + i)
                            + ",\"available\":1" + ",\"changedAt\":\"2026-11-25T10:15:00.0" + i + "0Z\"}")
                    .build());
        }
        long start = System.nanoTime();
        assertThat(events.putEvents(b -> b.entries(burst)).failedEntryCount()).isZero();
        List<Integer> values = new ArrayList<>();
        JsonNode first = s.next();
        long firstMillis = (System.nanoTime() - start) / 1_000_000;
        values.add(first.path("data").path("onHand").asInt());
        while (values.get(values.size() - 1) != 14)
            values.add(s.next().path("data").path("onHand").asInt());
        assertThat(firstMillis)
                .as("the leading edge does not wait for a window")
                .isLessThan(900);
        assertThat(values)
                .as("at most one delivery per window, then the latest")
                .hasSizeLessThanOrEqualTo(2);
        assertThat(values).isSorted();
        assertThat(s.poll(Duration.ofMillis(1500)))
                .as("the older values were coalesced")
                .isNull();
        s.close();
    }

    @Test
    void schemaInvalidEvent_isNotDelivered_andEndsAsADeadLetter() throws Exception {
        TestSocket s = connect(token("e2e-ivy", "acme", List.of("inventory:read"), List.of("*")));
        assertThat(s.command("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-9\"}")
                        .path("type")
                        .asString())
                .isEqualTo("ack");
        // onHand must be a number: EventBridge accepts it, the dispatcher refuses it
        PutEventsResponse put = publish(
                "pyerp.inventory",
                "StockLevelChanged",
                "{\"tenantId\":\"acme\",\"warehouseId\":\"WH-9\",\"sku\":\"S\",\"onHand\":\"lots\",\"available\":1,\"changedAt\":\"2026-11-25T10:15:00Z\"}");
        String eventId = put.entries().get(0).eventId();
        eventually(
                "the invalid event is dead-lettered",
                () -> gw.deadLetters().stream()
                        .anyMatch(d -> d.get("event") instanceof JsonNode n
                                && n.path("id").asString().equals(eventId)));
        assertThat(s.poll(Duration.ofMillis(200))).isNull();
        Map<String, Object> dl = gw.deadLetters().stream()
                .filter(d -> ((JsonNode) d.get("event")).path("id").asString().equals(eventId))
                .findFirst()
                .orElseThrow();
        assertThat(dl.get("receiveCount"))
                .as("dead-lettered at once, not retried")
                .isEqualTo(1);
        assertThat((String) dl.get("errorMessage")).startsWith("schema validation failed");
        Thread.sleep(500);
        assertThat(logs.stream()
                        .filter(l -> l.contains("invalid event not delivered") && l.contains(eventId))
                        .count())
                .as("dispatched once, never retried")
                .isEqualTo(1);
        assertThat(gw.deadLetters().stream()
                        .filter(d -> ((JsonNode) d.get("event"))
                                .path("id")
                                .asString()
                                .equals(eventId))
                        .count())
                .isEqualTo(1);
        s.close();
    }
}
