package com.pyerp.realtime.handler;

import static com.pyerp.realtime.handler.LambdaFixtures.JSON;
import static com.pyerp.realtime.handler.LambdaFixtures.context;
import static com.pyerp.realtime.handler.LambdaFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import com.pyerp.realtime.core.dispatch.DispatchQueueControl;
import com.pyerp.realtime.core.dispatch.Dispatcher;
import com.pyerp.realtime.core.dispatch.InvalidEventException;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.events.EventCatalog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The EventBridge target. The sender here records posts (our own {@link ConnectionSender} interface); the real
 * {@code @connections} sender is covered end to end in local-gateway.
 */
class DispatcherHandlerTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:15:01Z");

    private final Map<String, JsonNode> posted = new ConcurrentHashMap<>();
    private Dispatcher dispatcher;
    private DispatcherHandler handler;

    @BeforeEach
    void setUp() {
        JsonLog.setSink(line -> {});
        InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
        for (var c : Map.of("clerk", Set.of("inventory:read"), "controller", Set.of("inventory:read", "inventory:cost"))
                .entrySet()) {
            registry.register(new Connection(
                    c.getKey(),
                    new Principal(c.getKey(), "acme", c.getValue(), Map.of()),
                    NOW.minusSeconds(60),
                    NOW.plusSeconds(7200)));
            registry.subscribe(c.getKey(), "acme/inventory.warehouse.WH-1", NOW);
        }
        ConnectionSender recording = (connectionId, payload) -> {
            posted.put(connectionId, JSON.readTree(new String(payload, StandardCharsets.UTF_8)));
            return java.util.concurrent.CompletableFuture.completedFuture(ConnectionSender.Outcome.DELIVERED);
        };
        dispatcher = new Dispatcher(
                EventCatalog.load(), registry, recording, Clock.fixed(NOW, ZoneOffset.UTC), 4, Duration.ofMinutes(10));
        handler = new DispatcherHandler(dispatcher);
    }

    @AfterEach
    void tearDown() {
        dispatcher.close();
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    private JsonNode invoke(String eventJson) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(
                new ByteArrayInputStream(eventJson.getBytes(StandardCharsets.UTF_8)), out, context("dispatcher"));
        return JSON.readTree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void handleRequest_shouldDeliverTheEvent_andWriteTheReport() throws Exception {
        JsonNode report = invoke(text("eventbridge-stock-level-changed.json"));

        assertThat(report).isEqualTo(JSON.readTree("""
                {"events":1,"invalid":0,"duplicates":0,"coalesced":0,"recipients":2,"delivered":2,"gone":0,"failed":0,"invalidReasons":[],"failedEventIds":[],"invalidEventIds":[],"heldEventIds":{}}"""));
        assertThat(posted).containsOnlyKeys("clerk", "controller");
        JsonNode frame = posted.get("clerk");
        assertThat(frame.get("eventId").asString()).isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
        assertThat(frame.get("correlationId").asString()).isEqualTo("pick-list-5531");
        assertThat(frame.get("channel").asString()).isEqualTo("inventory.warehouse.WH-1");
        assertThat(frame.get("data").has("unitCost")).isFalse();
        assertThat(frame.get("data").has("_meta")).isFalse();
        assertThat(posted.get("controller").get("data").get("unitCost").asDouble())
                .isEqualTo(12.5);
    }

    /** An SQS event as the dispatch queue's event source mapping sends it: records whose bodies are EventBridge events. */
    private static String sqsBatch(Map<String, String> bodiesByMessageId) {
        var root = JSON.createObjectNode();
        var records = root.putArray("Records");
        bodiesByMessageId.forEach((id, body) -> {
            var r = records.addObject();
            r.put("messageId", id);
            r.put("receiptHandle", "rh-" + id);
            r.put("body", body);
            r.putObject("attributes").put("ApproximateReceiveCount", "1");
            r.putObject("messageAttributes");
            r.put("eventSource", "aws:sqs");
            r.put("eventSourceARN", "arn:aws:sqs:eu-central-1:123456789012:dispatch-buffer");
            r.put("awsRegion", "eu-central-1");
        });
        return root.toString();
    }

    private static String stockEvent(String id, String changedAt, int onHand) throws Exception {
        var e = (tools.jackson.databind.node.ObjectNode) JSON.readTree(text("eventbridge-stock-level-changed.json"));
        e.put("id", id);
        ((tools.jackson.databind.node.ObjectNode) e.get("detail"))
                .put("changedAt", changedAt)
                .put("onHand", onHand);
        return e.toString();
    }

    @Test
    void handleRequest_shouldCollapseABurstInOneSqsBatch_andReportNoFailures() throws Exception {
        Map<String, String> batch = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 5; i++)
            batch.put("m" + i, stockEvent("ev-" + i, "2026-11-25T10:15:00." + i + "00Z", 10 + i));

        JsonNode response = invoke(sqsBatch(batch));

        assertThat(response).isEqualTo(JSON.readTree("{\"batchItemFailures\":[]}"));
        assertThat(posted).containsOnlyKeys("clerk", "controller");
        assertThat(posted.get("clerk").get("eventId").asString()).isEqualTo("ev-4");
        assertThat(posted.get("clerk").get("data").get("onHand").asInt()).isEqualTo(14);
    }

    /** A queue control that records what the dispatcher asked of the queue. */
    private static final class RecordingQueue implements DispatchQueueControl {
        final Map<String, String> deadLetters = new java.util.LinkedHashMap<>();
        final Map<String, Duration> visibility = new java.util.LinkedHashMap<>();

        @Override
        public void deadLetter(JsonNode record, String reason) {
            deadLetters.put(record.get("messageId").asString(), reason);
        }

        @Override
        public void redeliverAfter(JsonNode record, Duration delay) {
            visibility.put(record.get("messageId").asString(), delay);
        }
    }

    // Golden SQS event (events/sqs-event.json, the shape of powertools' sqs_event.json): one valid event, one
    // schema-invalid, one of an unknown type, one unreadable body.
    @Test
    void handleRequest_goldenSqsEvent_shouldDeadLetterTheHopelessRecordsAtOnce_andReportNoBatchItemFailures()
            throws Exception {
        RecordingQueue queue = new RecordingQueue();
        handler = new DispatcherHandler(dispatcher, queue);

        JsonNode response = invoke(text("sqs-event.json"));

        assertThat(response).isEqualTo(JSON.readTree("{\"batchItemFailures\":[]}"));
        assertThat(queue.deadLetters)
                .containsOnlyKeys(
                        "2e1424d4-f796-459a-8184-9c92662be6da",
                        "4b9d1a2c-3f5e-4a6b-9c8d-7e6f5a4b3c2d",
                        "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
        assertThat(queue.deadLetters.get("2e1424d4-f796-459a-8184-9c92662be6da"))
                .startsWith("schema validation failed")
                .contains("sku");
        assertThat(queue.deadLetters.get("4b9d1a2c-3f5e-4a6b-9c8d-7e6f5a4b3c2d"))
                .startsWith("unknown event type");
        assertThat(queue.deadLetters.get("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"))
                .startsWith("unreadable record");
        assertThat(queue.visibility).isEmpty();
        assertThat(posted.get("clerk").get("eventId").asString()).isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
    }

    @Test
    void handleRequest_goldenSqsEvent_withoutQueueControl_shouldListTheHopelessRecords_asBatchItemFailures()
            throws Exception {
        JsonNode response = invoke(text("sqs-event.json"));

        // no DLQ to send to: the queue's redrive policy is the fallback, so nothing is lost
        assertThat(response.get("batchItemFailures"))
                .extracting(f -> f.get("itemIdentifier").asString())
                .containsExactly(
                        "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
                        "2e1424d4-f796-459a-8184-9c92662be6da",
                        "4b9d1a2c-3f5e-4a6b-9c8d-7e6f5a4b3c2d");
    }

    @Test
    void handleRequest_shouldListOnlyTheBadRecords_asBatchItemFailures() throws Exception {
        Map<String, String> batch = new java.util.LinkedHashMap<>();
        batch.put("good", stockEvent("ev-good", "2026-11-25T10:15:00Z", 1));
        batch.put("not-json", "{oops");
        batch.put(
                "unknown-type",
                text("eventbridge-stock-level-changed.json")
                        .replace("StockLevelChanged", "NoSuchEvent")
                        .replace("6a7e8feb", "aaaaaaaa"));

        JsonNode response = invoke(sqsBatch(batch));

        assertThat(response.get("batchItemFailures"))
                .extracting(f -> f.get("itemIdentifier").asString())
                .containsExactlyInAnyOrder("not-json", "unknown-type");
        assertThat(posted.get("clerk").get("eventId").asString()).isEqualTo("ev-good");
    }

    @Test
    void handleRequest_shouldReportADuplicate_whenEventBridgeRedeliversTheEvent() throws Exception {
        invoke(text("eventbridge-stock-level-changed.json"));
        posted.clear();

        JsonNode report = invoke(text("eventbridge-stock-level-changed.json"));

        assertThat(report.get("duplicates").asInt()).isEqualTo(1);
        assertThat(report.get("delivered").asInt()).isZero();
        assertThat(posted).isEmpty();
    }

    @Test
    void handleRequest_shouldThrowInvalidEvent_andDeliverNothing_whenTheDetailFailsItsSchema() {
        ObjectNode event = (ObjectNode) JSON.readTree(text("eventbridge-stock-level-changed.json"));
        ((ObjectNode) event.get("detail")).remove("sku");

        assertThatThrownBy(() -> invoke(event.toString()))
                .isInstanceOfSatisfying(
                        InvalidEventException.class,
                        e -> assertThat(e.eventId()).isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718"))
                .hasMessageContaining("sku");
        assertThat(posted).isEmpty();
    }

    @Test
    void handleRequest_shouldThrowInvalidEvent_whenTheDetailTypeIsUnknown() {
        String unknown =
                text("eventbridge-stock-level-changed.json").replace("\"StockLevelChanged\"", "\"StockTeleported\"");

        assertThatThrownBy(() -> invoke(unknown))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("unknown event type");
        assertThat(posted).isEmpty();
    }

    @Test
    void handleRequest_shouldThrowInvalidEvent_whenTheInputIsNotAnEventBridgeEvent() {
        assertThatThrownBy(() -> invoke("{not json"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> invoke("{\"id\":\"x\"}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("lacks");
    }
}
