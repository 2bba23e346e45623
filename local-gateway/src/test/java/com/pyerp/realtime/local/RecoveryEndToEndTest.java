package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.aws.dynamo.Dynalite;
import com.pyerp.realtime.events.ProtocolSchemas;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import tools.jackson.databind.JsonNode;

/**
 * History and recovery end to end (issue 12): real WebSocket clients, events published with the EventBridge SDK, on
 * the in-memory registry and on DynamoDB (dynalite). A client disconnects, events are published, it reconnects with
 * its last position and gets exactly the missed events in order with {@code recovered: true}; a position older than
 * the history keeps, or of another epoch, gets {@code recovered: false}.
 */
@Timeout(180)
class RecoveryEndToEndTest {

    @Test
    void recovery_onTheInMemoryRegistry(@TempDir Path dir) throws Exception {
        try (LocalGateway gw =
                LocalGateway.startEphemeral(TestGateways.config(dir).build())) {
            scenario(gw);
        }
    }

    @Test
    void recovery_onDynamoDb(@TempDir Path dir) throws Exception {
        try (Dynalite dynalite = Dynalite.start();
                LocalGateway gw = LocalGateway.startEphemeral(
                        TestGateways.onDynalite(dir, dynalite).build())) {
            assertThat(dynalite.client().listTables().tableNames()).contains("pyerp-realtime-history");
            scenario(gw);
        }
    }

    private static void scenario(LocalGateway gw) throws Exception {
        WebSocketClient ws = new WebSocketClient();
        ws.start();
        try (EventBridgeClient events = TestGateways.events(gw)) {
            String token = gw.mintToken("rec-user", "acme", List.of("sales:read"), List.of(), Duration.ofMinutes(5));
            String channel = "sales.order.SO-77";

            // 1. first visit: the ack carries the channel's position; two live events carry offsets 1 and 2
            TestSocket a = connect(ws, gw, token);
            JsonNode ack = a.command(subscribe(channel, "s1", null));
            assertValid(ack);
            assertThat(ack.path("type").asString()).isEqualTo("ack");
            assertThat(ack.path("offset").asLong()).isZero();
            String epoch = ack.path("epoch").asString();
            assertThat(epoch).isNotBlank();
            assertThat(ack.has("recovered")).as("no recover asked").isFalse();
            publish(events, "SO-77", "confirmed", "10:00:01");
            publish(events, "SO-77", "picking", "10:00:02");
            JsonNode e1 = a.next();
            JsonNode e2 = a.next();
            assertValid(e1);
            // two dispatcher batches may run at once: offsets follow the order the events were numbered in
            assertThat(List.of(e1.path("offset").asLong(), e2.path("offset").asLong()))
                    .containsExactlyInAnyOrder(1L, 2L);
            assertThat(e2.path("epoch").asString()).isEqualTo(epoch);
            assertThat(e2.path("data").path("status").asString()).isEqualTo("picking");
            assertThat(e2.path("data").has("totalAmount"))
                    .as("history keeps the detail, the frame is still filtered by role")
                    .isFalse();
            a.close();
            a.awaitClose(Duration.ofSeconds(10));

            // 2. while it is away, three events
            publish(events, "SO-77", "packed", "10:00:03");
            publish(events, "SO-77", "shipped", "10:00:04");
            publish(events, "SO-77", "delivered", "10:00:05");
            // wait until the dispatcher numbered all three (a subscribe without recover reports the position)
            TestSocket probe = connect(ws, gw, token);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (probe.command(subscribe(channel, "p", null)).path("offset").asLong() < 5) {
                assertThat(System.nanoTime()).as("offset 5 reached in time").isLessThan(deadline);
                Thread.sleep(200); // well under the connection's own rate limit (issue 10)
            }
            probe.close();

            // 3. it comes back with its last position: exactly the missed events, in order, recovered
            TestSocket b = connect(ws, gw, token);
            JsonNode rec = b.command(subscribe(channel, "s2", "{\"offset\":2,\"epoch\":\"" + epoch + "\"}"));
            assertValid(rec);
            assertThat(rec.path("recovered").asBoolean()).isTrue();
            assertThat(rec.path("offset").asLong()).isEqualTo(5);
            assertThat(rec.path("epoch").asString()).isEqualTo(epoch);
            List<Long> offsets = new ArrayList<>();
            List<String> statuses = new ArrayList<>();
            for (JsonNode p : rec.path("publications")) {
                assertThat(p.path("type").asString()).isEqualTo("event");
                assertThat(p.path("channel").asString()).isEqualTo(channel);
                assertThat(p.path("data").has("totalAmount")).isFalse();
                offsets.add(p.path("offset").asLong());
                statuses.add(p.path("data").path("customerId").asString());
            }
            assertThat(offsets).containsExactly(3L, 4L, 5L);
            assertThat(statuses).containsExactlyInAnyOrder("packed", "shipped", "delivered");
            // ...and then live events go on from offset 6
            publish(events, "SO-77", "invoiced", "10:00:06");
            JsonNode e6 = b.next();
            assertThat(e6.path("offset").asLong()).isEqualTo(6);
            assertThat(b.poll(Duration.ofMillis(200))).as("nothing twice").isNull();

            // 4. too old (more missed than the catalog keeps: 100) or another epoch: not recovered
            for (int i = 0; i < 101; i++) publish(events, "SO-77", "s" + i, "10:01:00");
            for (int i = 0; i < 101; i++) b.next(); // wait for all of them to be numbered and delivered
            JsonNode old = b.command(subscribe(channel, "s3", "{\"offset\":6,\"epoch\":\"" + epoch + "\"}"));
            assertValid(old);
            assertThat(old.path("recovered").asBoolean()).isFalse();
            assertThat(old.has("publications")).isFalse();
            assertThat(old.path("offset").asLong()).isEqualTo(107);
            JsonNode otherEpoch =
                    b.command(subscribe(channel, "s4", "{\"offset\":106,\"epoch\":\"not-" + epoch + "\"}"));
            assertThat(otherEpoch.path("recovered").asBoolean()).isFalse();
            JsonNode recent = b.command(subscribe(channel, "s5", "{\"offset\":105,\"epoch\":\"" + epoch + "\"}"));
            assertThat(recent.path("recovered").asBoolean()).isTrue();
            assertThat(recent.path("publications")).hasSize(2);

            // 5. a channel without history: a plain ack, recover ignored; a malformed recover is INVALID_FRAME
            JsonNode plain = b.command(subscribe("sales.orders", "s6", "{\"offset\":1,\"epoch\":\"x\"}"));
            assertThat(plain.path("type").asString()).isEqualTo("ack");
            assertThat(plain.has("offset")).isFalse();
            JsonNode bad = b.command(subscribe(channel, "s7", "{\"offset\":-1,\"epoch\":\"x\"}"));
            assertThat(bad.path("code").asString()).isEqualTo("INVALID_FRAME");
            b.close();
        } finally {
            ws.stop();
        }
    }

    private static TestSocket connect(WebSocketClient ws, LocalGateway gw, String token) throws Exception {
        TestSocket s = new TestSocket();
        ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
        req.setSubProtocols("erp.v1", token);
        ws.connect(s, req).get();
        return s;
    }

    private static String subscribe(String channel, String id, String recover) {
        return "{\"action\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":\"" + id + "\""
                + (recover == null ? "" : ",\"recover\":" + recover) + "}";
    }

    private static void publish(EventBridgeClient events, String order, String marker, String time) {
        var r = events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                .eventBusName("erp-events")
                .source("pyerp.sales")
                .detailType("OrderStatusChanged")
                .detail("{\"tenantId\":\"acme\",\"orderId\":\"" + order + "\",\"customerId\":\"" + marker
                        + "\",\"previousStatus\":\"confirmed\",\"status\":\"picking\",\"totalAmount\":10.0,"
                        + "\"currency\":\"EUR\",\"changedAt\":\"2026-11-25T" + time + "Z\"}")
                .build()));
        assertThat(r.failedEntryCount()).isZero();
    }

    private static void assertValid(JsonNode frame) {
        assertThat(ProtocolSchemas.validateServerFrame(frame))
                .as(frame.toString())
                .isEmpty();
    }
}
