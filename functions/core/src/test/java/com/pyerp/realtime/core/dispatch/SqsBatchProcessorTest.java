package com.pyerp.realtime.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.events.EventCatalog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The SQS batch handling shared by the Lambda handler and the local gateway's queue mirror. */
class SqsBatchProcessorTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final EventCatalog CATALOG = EventCatalog.load();
    private static final Instant NOW = Instant.parse("2026-11-25T10:15:05Z");
    private static final String ARN = "arn:aws:sqs:eu-central-1:123456789012:dispatch-buffer";

    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    private InMemoryConnectionRegistry registry;
    private final ConcurrentLinkedQueue<String> posts = new ConcurrentLinkedQueue<>();
    private final AtomicInteger registryFailures = new AtomicInteger();
    private final RecordingQueue queue = new RecordingQueue();
    private final List<Duration> sleeps = new ArrayList<>();
    private final List<Long> jitterBounds = new ArrayList<>();
    private DispatcherTest.MutableClock clock;
    private Dispatcher dispatcher;
    private SqsBatchProcessor processor;

    static final class RecordingQueue implements DispatchQueueControl {
        final Map<String, String> deadLetters = new LinkedHashMap<>();
        final Map<String, Duration> visibility = new LinkedHashMap<>();
        boolean broken;

        @Override
        public void deadLetter(JsonNode record, String reason) {
            if (broken) throw new IllegalStateException("SQS unreachable");
            deadLetters.merge(record.get("messageId").asString(), reason, (a, b) -> a + " | " + b);
        }

        @Override
        public void redeliverAfter(JsonNode record, Duration delay) {
            if (broken) throw new IllegalStateException("SQS unreachable");
            visibility.put(record.get("messageId").asString(), delay);
        }
    }

    @BeforeEach
    void setUp() {
        JsonLog.setSink(logLines::add);
        registry = new InMemoryConnectionRegistry();
        registry.register(new Connection(
                "clerk",
                new Principal("alice", "acme", Set.of("inventory:read"), Map.of()),
                NOW.minusSeconds(60),
                NOW.plusSeconds(7200)));
        registry.subscribe("clerk", "acme/inventory.warehouse.WH-1", NOW);
        DispatcherTest.FlakyRegistry flaky = new DispatcherTest.FlakyRegistry(registry, registryFailures);
        clock = new DispatcherTest.MutableClock(NOW);
        ConnectionSender sender = (id, payload) -> {
            posts.add(JSON.readTree(payload).get("eventId").asString());
            return java.util.concurrent.CompletableFuture.completedFuture(ConnectionSender.Outcome.DELIVERED);
        };
        dispatcher = new Dispatcher(CATALOG, flaky, sender, clock, 4, Duration.ofMinutes(10));
        processor = new SqsBatchProcessor(dispatcher, queue, sleeps::add, bound -> {
            jitterBounds.add(bound);
            return bound / 2;
        });
    }

    @AfterEach
    void tearDown() {
        dispatcher.close();
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    private static String stockEvent(String id, String changedAt, boolean valid) {
        ObjectNode detail = (ObjectNode) EventCatalog.readTree(EventCatalog.BASE + "examples/stock-level-changed.json");
        detail.put("changedAt", changedAt);
        if (!valid) detail.remove("sku");
        ObjectNode n = JSON.createObjectNode();
        n.put("version", "0");
        n.put("id", id);
        n.put("detail-type", "StockLevelChanged");
        n.put("source", "pyerp.inventory");
        n.put("account", "123456789012");
        n.put("time", changedAt);
        n.put("region", "eu-central-1");
        n.putArray("resources");
        n.set("detail", detail);
        return n.toString();
    }

    private static JsonNode sqsEvent(Map<String, String> bodiesByMessageId) {
        ObjectNode root = JSON.createObjectNode();
        var records = root.putArray("Records");
        bodiesByMessageId.forEach(
                (id, body) -> records.add(SqsBatchProcessor.record(id, body, 1, 0, ARN, "eu-central-1")));
        return root;
    }

    private static List<String> failures(JsonNode response) {
        return SqsBatchProcessor.failedMessageIds(response);
    }

    @Test
    void process_shouldRetryATransientFailureWithinTheInvocation_withFullJitter() {
        registryFailures.set(2); // the registry fails twice, then recovers

        JsonNode response = processor.process(sqsEvent(Map.of("m1", stockEvent("ev-1", "2026-11-25T10:15:00Z", true))));

        assertThat(failures(response)).isEmpty();
        assertThat(posts).containsExactly("ev-1");
        // attempt 1 fails, wait, attempt 2 fails, wait, attempt 3 delivers: within the invocation, in milliseconds
        assertThat(jitterBounds).containsExactly(100L, 200L);
        assertThat(sleeps).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(queue.visibility).isEmpty();
    }

    @Test
    void process_shouldHandARecordBackInSeconds_whenItStillFailsAfterTheInInvocationAttempts() {
        registryFailures.set(100);

        JsonNode response = processor.process(sqsEvent(Map.of("m1", stockEvent("ev-1", "2026-11-25T10:15:00Z", true))));

        assertThat(failures(response)).containsExactly("m1");
        assertThat(queue.visibility)
                .as("visible again after seconds, not after the queue's visibility timeout")
                .containsExactly(Map.entry("m1", DispatchBuffer.RETRY_VISIBILITY));
        assertThat(sleeps).hasSize(DispatchBuffer.IN_INVOCATION_ATTEMPTS - 1);
        assertThat(queue.deadLetters).isEmpty();
    }

    @Test
    void process_shouldDeadLetterAnInvalidEventOnce_andNeverRetryIt() {
        Map<String, String> batch = new LinkedHashMap<>();
        batch.put("bad", stockEvent("ev-bad", "2026-11-25T10:15:00Z", false));
        batch.put("good", stockEvent("ev-good", "2026-11-25T10:15:00Z", true));
        registryFailures.set(1); // the good one fails once, so there is a retry round the bad one must not join

        JsonNode response = processor.process(sqsEvent(batch));

        assertThat(failures(response)).isEmpty();
        assertThat(queue.deadLetters).containsOnlyKeys("bad");
        assertThat(queue.deadLetters.get("bad"))
                .as("dead-lettered once, with its reason")
                .startsWith("schema validation failed")
                .doesNotContain(" | ");
        assertThat(posts).containsExactly("ev-good");
        assertThat(logLines)
                .anyMatch(l -> l.contains("event dead-lettered") && l.contains("ev-bad"))
                .anyMatch(l -> l.contains("\"" + SqsBatchProcessor.DEAD_LETTERED_METRIC + "\":1"));
    }

    @Test
    void process_shouldListAnInvalidEvent_whenItCannotBeDeadLettered_soTheRedrivePolicyCatchesIt() {
        queue.broken = true;

        JsonNode response =
                processor.process(sqsEvent(Map.of("bad", stockEvent("ev-bad", "2026-11-25T10:15:00Z", false))));

        assertThat(failures(response)).containsExactly("bad");
    }

    @Test
    void process_shouldHandAHeldEventBack_whenItsCoalescingWindowEnds() {
        processor.process(sqsEvent(Map.of("m1", stockEvent("ev-1", "2026-11-25T10:15:00.000Z", true))));
        clock.now = NOW.plusMillis(200);

        JsonNode response =
                processor.process(sqsEvent(Map.of("m2", stockEvent("ev-2", "2026-11-25T10:15:00.200Z", true))));

        assertThat(failures(response)).containsExactly("m2");
        // 800 ms left of the 1000 ms window, in SQS's whole seconds
        assertThat(queue.visibility).containsExactly(Map.entry("m2", Duration.ofSeconds(1)));
        assertThat(posts).containsExactly("ev-1");

        clock.now = NOW.plusMillis(1200);
        JsonNode back = processor.process(sqsEvent(Map.of("m2", stockEvent("ev-2", "2026-11-25T10:15:00.200Z", true))));
        assertThat(failures(back)).isEmpty();
        assertThat(posts).containsExactly("ev-1", "ev-2");
    }

    @Test
    void wholeSeconds_shouldRoundUp_toAtLeastOneSecond() {
        assertThat(SqsBatchProcessor.wholeSeconds(Duration.ofMillis(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(SqsBatchProcessor.wholeSeconds(Duration.ofMillis(1000))).isEqualTo(Duration.ofSeconds(1));
        assertThat(SqsBatchProcessor.wholeSeconds(Duration.ofMillis(1001))).isEqualTo(Duration.ofSeconds(2));
        assertThat(SqsBatchProcessor.wholeSeconds(Duration.ZERO)).isEqualTo(Duration.ofSeconds(1));
    }
}
