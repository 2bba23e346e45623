package com.pyerp.realtime.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.ForwardingConnectionRegistry;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import com.pyerp.realtime.core.registry.Subscriber;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.EventDefinition;
import com.pyerp.realtime.events.ProtocolSchemas;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dispatcher over the in-memory registry and a recording {@link ConnectionSender}. The real sender (API Gateway's
 * {@code @connections} API, ApiGatewayManagementSender) is covered end to end in local-gateway, against the local
 * gateway's own {@code @connections} endpoint.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DispatcherTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final EventCatalog CATALOG = EventCatalog.load();
    private static final Instant NOW = Instant.parse("2026-11-25T10:15:05Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private InMemoryConnectionRegistry registry;
    private RecordingSender sender;
    private Dispatcher dispatcher;
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() {
        JsonLog.setSink(logLines::add);
        registry = new InMemoryConnectionRegistry();
        sender = new RecordingSender();
        dispatcher = new Dispatcher(CATALOG, registry, sender, CLOCK, 4, Duration.ofMinutes(10));
        connect("wh1-clerk", "acme", "alice", Set.of("inventory:read"), "inventory.warehouse.WH-1");
        connect(
                "wh1-controller",
                "acme",
                "carol",
                Set.of("inventory:read", "inventory:cost"),
                "inventory.warehouse.WH-1");
        connect("wh2-clerk", "acme", "dave", Set.of("inventory:read"), "inventory.warehouse.WH-2");
        connect(
                "globex-wh1",
                "globex",
                "alice",
                Set.of("inventory:read", "inventory:cost"),
                "inventory.warehouse.WH-1");
        connect("sku-watcher", "acme", "erin", Set.of("inventory:read"), "inventory.sku.SKU-1001");
    }

    @AfterEach
    void tearDown() {
        dispatcher.close();
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    private void connect(String id, String tenant, String user, Set<String> roles, String... channels) {
        registry.register(new Connection(
                id, new Principal(user, tenant, roles, Map.of()), NOW.minusSeconds(60), NOW.plus(Duration.ofHours(2))));
        for (String ch : channels) registry.subscribe(id, tenant + "/" + ch, NOW);
    }

    private static ObjectNode example(String file) {
        return (ObjectNode) EventCatalog.readTree(EventCatalog.BASE + "examples/" + file);
    }

    /** An event exactly as EventBridge delivers it to a target, read by the dispatcher's own parser. */
    private static DeliveredEvent event(String id, String source, String detailType, String time, JsonNode detail) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", "0");
        n.put("id", id);
        n.put("detail-type", detailType);
        n.put("source", source);
        n.put("account", "123456789012");
        n.put("time", time);
        n.put("region", "eu-central-1");
        n.putArray("resources");
        n.set("detail", detail);
        return DeliveredEvent.fromEventBridge(n);
    }

    /** A stock event the ERP says happened at {@code time} (detail.changedAt, the catalog's orderBy) and EventBridge stamped alike. */
    private static DeliveredEvent stockLevel(String id, String time, JsonNode detail) {
        ((tools.jackson.databind.node.ObjectNode) detail).put("changedAt", time);
        return event(id, "pyerp.inventory", "StockLevelChanged", time, detail);
    }

    private static DeliveredEvent stockLevel(String id) {
        return stockLevel(id, "2026-11-25T10:15:00Z", example("stock-level-changed.json"));
    }

    private JsonNode frameFor(String connectionId) {
        List<JsonNode> frames = sender.framesFor(connectionId);
        assertThat(frames).as("frames to %s", connectionId).hasSize(1);
        return frames.get(0);
    }

    @Test
    void dispatch_shouldDeliverToTheSubscribersOfTheEventsChannelsOnly() {
        DispatchReport report = dispatcher.dispatch(stockLevel("ev-1"));

        // WH-1 subscribers and the SKU-1001 subscriber of tenant acme; not WH-2, not the other tenant's WH-1
        assertThat(sender.recipients()).containsExactlyInAnyOrder("wh1-clerk", "wh1-controller", "sku-watcher");
        assertThat(report).isEqualTo(new DispatchReport(1, 0, 0, 0, 3, 3, 0, 0, List.of(), List.of()));
        assertThat(frameFor("wh1-clerk").get("channel").asString()).isEqualTo("inventory.warehouse.WH-1");
        assertThat(frameFor("sku-watcher").get("channel").asString()).isEqualTo("inventory.sku.SKU-1001");
    }

    @Test
    void dispatch_shouldDeliverTheOtherTenantsEvent_onlyToThatTenant() {
        ObjectNode detail = example("stock-level-changed.json").put("tenantId", "globex");

        dispatcher.dispatch(stockLevel("ev-g", "2026-11-25T10:15:00Z", detail));

        assertThat(sender.recipients()).containsExactly("globex-wh1");
    }

    @Test
    void dispatch_shouldPostTheEnvelopeExactlyAsTheProtocolDocumentsIt() {
        dispatcher.dispatch(stockLevel("ev-1"));

        JsonNode f = frameFor("wh1-clerk");
        assertThat(new ArrayList<>(f.propertyNames()))
                .containsExactly("type", "channel", "eventType", "source", "eventId", "time", "correlationId", "data");
        assertThat(f.get("type").asString()).isEqualTo("event");
        assertThat(f.get("channel").asString()).isEqualTo("inventory.warehouse.WH-1");
        assertThat(f.get("eventType").asString()).isEqualTo("StockLevelChanged");
        assertThat(f.get("source").asString()).isEqualTo("pyerp.inventory");
        assertThat(f.get("eventId").asString()).isEqualTo("ev-1");
        assertThat(f.get("time").asString()).isEqualTo("2026-11-25T10:15:00Z");
        // no correlation id set by the publisher: the EventBridge event id stands in
        assertThat(f.get("correlationId").asString()).isEqualTo("ev-1");
        assertThat(ProtocolSchemas.validateServerFrame(f)).isEmpty();
    }

    @Test
    void dispatch_shouldHideTheSensitiveField_fromASubscriberWithoutTheRole_andShowItToOneWithIt() {
        dispatcher.dispatch(stockLevel("ev-1"));

        ObjectNode expectedForClerk = example("stock-level-changed.json");
        expectedForClerk.remove("unitCost");
        assertThat(frameFor("wh1-clerk").get("data")).isEqualTo(expectedForClerk);
        assertThat(frameFor("wh1-controller").get("data")).isEqualTo(example("stock-level-changed.json"));
        assertThat(frameFor("wh1-controller").get("data").get("unitCost").asDouble())
                .isEqualTo(12.5);
    }

    @Test
    void dispatch_shouldCarryThePublishersCorrelationId_andNeverDeliverMeta() {
        // stock-level-changed-receipt.json carries _meta.correlationId, where the publisher puts it
        connect(
                "wh2-controller",
                "acme",
                "frank",
                Set.of("inventory:read", "inventory:cost"),
                "inventory.warehouse.WH-2");

        DispatchReport report = dispatcher.dispatch(
                stockLevel("ev-2", "2026-11-25T08:02:11Z", example("stock-level-changed-receipt.json")));

        assertThat(report.delivered()).isEqualTo(2);
        JsonNode f = frameFor("wh2-clerk");
        assertThat(f.get("correlationId").asString()).isEqualTo("po-7781-receipt");
        assertThat(f.get("data").has("_meta")).isFalse();
        assertThat(frameFor("wh2-controller").get("data").has("_meta")).isFalse();
        assertThat(ProtocolSchemas.validateServerFrame(f)).isEmpty();
    }

    @Test
    void dispatch_shouldDeliverAUserNotification_toEachNamedUsersOwnChannel() {
        connect("alice-tab", "acme", "alice", Set.of(), "user.alice");
        connect("bob-tab", "acme", "bob", Set.of(), "user.bob");
        connect("zoe-tab", "acme", "zoe", Set.of(), "user.zoe");

        DispatchReport report = dispatcher.dispatch(event(
                "ev-n",
                "pyerp.notifications",
                "UserNotification",
                "2026-11-25T10:00:00Z",
                example("user-notification-many.json")));

        assertThat(sender.recipients()).containsExactlyInAnyOrder("alice-tab", "bob-tab");
        assertThat(frameFor("alice-tab").get("channel").asString()).isEqualTo("user.alice");
        assertThat(frameFor("bob-tab").get("channel").asString()).isEqualTo("user.bob");
        assertThat(report.delivered()).isEqualTo(2);
    }

    @Test
    void dispatch_shouldCountAndNotDeliver_whenTheDetailTypeIsUnknown() {
        DispatchReport report = dispatcher.dispatch(event(
                "ev-x",
                "pyerp.inventory",
                "StockTeleported",
                "2026-11-25T10:00:00Z",
                example("stock-level-changed.json")));

        assertThat(report.invalid()).isEqualTo(1);
        assertThat(report.recipients()).isZero();
        assertThat(report.invalidReasons())
                .singleElement()
                .asString()
                .startsWith("ev-x: ")
                .contains("unknown event type", "StockTeleported");
        assertThat(sender.sent).isEmpty();
    }

    @Test
    void dispatch_shouldCountAndNotDeliver_whenTheDetailFailsItsSchema() {
        EventDefinition def = CATALOG.byName("stock-level-changed").orElseThrow();
        EventDefinition.InvalidExample bad = def.invalidExampleCases().stream()
                .filter(c -> c.expect().equals("$.onHand"))
                .findFirst()
                .orElseThrow();

        DispatchReport report = dispatcher.dispatch(stockLevel("ev-bad", "2026-11-25T10:00:00Z", bad.detail()));

        assertThat(report.invalid()).isEqualTo(1);
        assertThat(report.invalidReasons()).singleElement().asString().contains("schema validation failed", "$.onHand");
        assertThat(sender.sent).isEmpty();
    }

    @Test
    void dispatch_shouldDeliverEveryValidEventOfABatch_andReportTheInvalidOnes() {
        DispatchReport report = dispatcher.dispatch(List.of(
                event(
                        "ev-x",
                        "pyerp.inventory",
                        "StockTeleported",
                        "2026-11-25T10:00:00Z",
                        example("stock-level-changed.json")),
                event(
                        "ev-m",
                        "pyerp.system",
                        "MaintenanceNotice",
                        "2026-11-25T10:00:00Z",
                        example("maintenance-notice.json")),
                stockLevel("ev-1")));

        assertThat(report.events()).isEqualTo(3);
        assertThat(report.invalid()).isEqualTo(1);
        assertThat(report.delivered()).isEqualTo(3);
    }

    @Test
    void dispatch_shouldDeliverOnce_whenEventBridgeDeliversTheSameEventTwice() {
        DispatchReport first = dispatcher.dispatch(stockLevel("ev-1"));
        DispatchReport second = dispatcher.dispatch(stockLevel("ev-1"));

        assertThat(first.delivered()).isEqualTo(3);
        assertThat(second.duplicates()).isEqualTo(1);
        assertThat(second.recipients()).isZero();
        assertThat(sender.sent).hasSize(3);
    }

    @Test
    void dispatch_shouldDeliverOnce_whenABatchHoldsTheSameEventTwice() {
        connect("broadcast-tab", "acme", "alice", Set.of(), "system.broadcast");
        DeliveredEvent notice = event(
                "ev-m",
                "pyerp.system",
                "MaintenanceNotice",
                "2026-11-25T10:00:00Z",
                example("maintenance-notice.json"));

        DispatchReport report = dispatcher.dispatch(List.of(notice, notice));

        assertThat(report.duplicates()).isEqualTo(1);
        assertThat(sender.recipients()).containsExactly("broadcast-tab");
    }

    @Test
    void dispatch_shouldRemoveTheConnectionFromTheRegistry_whenThePostAnswersGone() {
        sender.outcomes.put("wh1-clerk", attempt -> ConnectionSender.Outcome.GONE);

        DispatchReport report = dispatcher.dispatch(stockLevel("ev-1"));

        assertThat(report.gone()).isEqualTo(1);
        assertThat(report.delivered()).isEqualTo(2);
        assertThat(registry.find("wh1-clerk", NOW)).isEmpty();
        assertThat(registry.channelsOf("wh1-clerk", NOW)).isEmpty();
        try (Stream<Subscriber> subs = registry.subscribers("acme/inventory.warehouse.WH-1", NOW)) {
            assertThat(subs.map(Subscriber::connectionId)).containsExactly("wh1-controller");
        }
        assertThat(registry.find("wh1-controller", NOW)).isPresent();
    }

    @Test
    void dispatch_shouldRetryAThrottledPost_andDeliverIt_whenTheThrottleClears() {
        sender.outcomes.put(
                "wh1-clerk",
                attempt -> attempt <= 2
                        ? new ConnectionSender.Outcome(ConnectionSender.Status.THROTTLED, "429 LimitExceededException")
                        : ConnectionSender.Outcome.DELIVERED);

        DispatchReport report = dispatcher.dispatch(stockLevel("ev-1"));

        assertThat(sender.attempts("wh1-clerk")).isEqualTo(3);
        assertThat(report.delivered()).isEqualTo(3);
        assertThat(report.failed()).isZero();
    }

    @Test
    void dispatch_shouldFailTheEventForARetry_whenThrottlingOutlastsTheDeadline() {
        sender.outcomes.put(
                "wh1-clerk", attempt -> new ConnectionSender.Outcome(ConnectionSender.Status.THROTTLED, "429"));
        FanOutPolicy policy = FanOutPolicy.of(4)
                .withBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
                .withThrottleDeadline(Duration.ofMillis(300));
        try (Dispatcher d = new Dispatcher(
                CATALOG, registry, sender, CLOCK, policy, Duration.ofMinutes(10), null, FanOutPages.PAGE_SIZE)) {
            long start = System.nanoTime();
            DispatchReport report = d.dispatch(stockLevel("ev-1"));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(sender.attempts("wh1-clerk"))
                    .as("retried until the deadline")
                    .isGreaterThan(5);
            assertThat(tookMillis).as("stops at the deadline").isBetween(250L, 5_000L);
            assertThat(report.failed()).isEqualTo(1);
            assertThat(report.delivered()).isEqualTo(2);
            assertThat(report.failedEventIds())
                    .as("not lost: the event is reported for a retry")
                    .containsExactly("ev-1");
            assertThat(registry.find("wh1-clerk", NOW))
                    .as("a throttled connection is not removed")
                    .isPresent();

            DispatchReport again = d.dispatch(stockLevel("ev-1"));
            assertThat(again.duplicates())
                    .as("the id was forgotten, so the retry delivers")
                    .isZero();
        }
    }

    @Test
    void dispatch_shouldCountFailedAndTooLargePosts_withoutRetryingOrRemovingThem() {
        sender.outcomes.put(
                "wh1-clerk",
                attempt -> new ConnectionSender.Outcome(ConnectionSender.Status.FAILED, "500 InternalServerError"));
        sender.outcomes.put(
                "sku-watcher", attempt -> new ConnectionSender.Outcome(ConnectionSender.Status.TOO_LARGE, "413"));

        DispatchReport report = dispatcher.dispatch(stockLevel("ev-1"));

        assertThat(report.failed()).isEqualTo(2);
        assertThat(report.delivered()).isEqualTo(1);
        assertThat(sender.attempts("wh1-clerk")).isEqualTo(1);
        assertThat(sender.attempts("sku-watcher")).isEqualTo(1);
        assertThat(registry.find("wh1-clerk", NOW)).isPresent();
    }

    @Test
    void dispatch_shouldCountAFailure_whenTheSenderThrows_andStillDeliverToTheOthers() {
        // ConnectionSender promises not to throw, but a bug in one (an unexpected SDK exception) must not lose the
        // count nor the log line: recipients must always equal delivered + gone + failed
        ConnectionSender throwing = new RecordingSender() {
            @Override
            public CompletableFuture<Outcome> send(String connectionId, byte[] payload) {
                if (connectionId.equals("wh1-clerk")) throw new IllegalStateException("sdk bug");
                return super.send(connectionId, payload);
            }
        };
        try (Dispatcher d = new Dispatcher(CATALOG, registry, throwing, CLOCK, 4, Duration.ofMinutes(10))) {
            DispatchReport report = d.dispatch(stockLevel("ev-1"));

            assertThat(report.recipients()).isEqualTo(3);
            assertThat(report.delivered()).isEqualTo(2);
            assertThat(report.failed()).isEqualTo(1);
            assertThat(logLines)
                    .anySatisfy(l -> assertThat(l)
                            .contains("post failed")
                            .contains("wh1-clerk")
                            .contains("sdk bug"));
        }
    }

    @Test
    void dispatch_shouldNeverHaveMoreThanConcurrencyPostsInFlight() throws Exception {
        for (int i = 0; i < 20; i++) connect("tab-" + i, "acme", "u" + i, Set.of(), "system.broadcast");
        BlockingSender blocking = new BlockingSender(4);
        ExecutorService caller = Executors.newSingleThreadExecutor();
        AtomicReference<Thread> callerThread = new AtomicReference<>();
        try (Dispatcher bounded = new Dispatcher(CATALOG, registry, blocking, CLOCK, 4, Duration.ofMinutes(10))) {
            Future<DispatchReport> result = caller.submit(() -> {
                callerThread.set(Thread.currentThread());
                return bounded.dispatch(event(
                        "ev-b",
                        "pyerp.system",
                        "MaintenanceNotice",
                        "2026-11-25T10:00:00Z",
                        example("maintenance-notice.json")));
            });

            assertThat(blocking.firstPosts.await(10, TimeUnit.SECONDS))
                    .as("4 posts started")
                    .isTrue();
            // the dispatching thread now waits for a free slot: no fifth post starts while four are blocked
            awaitState(callerThread, Thread.State.TIMED_WAITING);
            assertThat(blocking.started.get()).isEqualTo(4);
            assertThat(blocking.inFlight.get()).isEqualTo(4);

            blocking.release.countDown();
            DispatchReport report = result.get(10, TimeUnit.SECONDS);

            assertThat(report.delivered()).isEqualTo(20);
            assertThat(blocking.started.get()).isEqualTo(20);
            assertThat(blocking.maxInFlight.get()).isEqualTo(4);
        } finally {
            blocking.release.countDown();
            caller.shutdownNow();
        }
    }

    private static void awaitState(AtomicReference<Thread> thread, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.get() == null || thread.get().getState() != state) {
            if (System.nanoTime() > deadline) throw new AssertionError("thread never reached " + state);
            Thread.sleep(1);
        }
    }

    @Test
    void dispatch_shouldDeliverOnlyTheLatest_whenABatchHoldsEventsWithTheSameCoalescingKey() {
        // stock-level-changed coalesces on {warehouseId}/{sku} (catalog.json)
        assertThat(CATALOG.byName("stock-level-changed").orElseThrow().coalesce())
                .isPresent();
        DeliveredEvent newer = stockLevel(
                "ev-new",
                "2026-11-25T10:15:02Z",
                example("stock-level-changed.json").put("onHand", 41));
        DeliveredEvent older = stockLevel(
                "ev-old",
                "2026-11-25T10:15:01Z",
                example("stock-level-changed.json").put("onHand", 42));

        DispatchReport report = dispatcher.dispatch(List.of(newer, older));

        assertThat(report.coalesced()).isEqualTo(1);
        assertThat(sender.sent)
                .extracting(s -> s.frame().get("eventId").asString())
                .containsOnly("ev-new");
        assertThat(frameFor("wh1-clerk").get("data").get("onHand").asInt()).isEqualTo(41);
    }

    @Test
    void dispatch_shouldDropAnOlderEvent_whenANewerOneWithTheSameKeyWasAlreadyDelivered() {
        dispatcher.dispatch(stockLevel("ev-new", "2026-11-25T10:15:02Z", example("stock-level-changed.json")));
        int afterFirst = sender.sent.size();

        DispatchReport late =
                dispatcher.dispatch(stockLevel("ev-old", "2026-11-25T10:15:01Z", example("stock-level-changed.json")));

        assertThat(late.coalesced()).isEqualTo(1);
        assertThat(late.recipients()).isZero();
        assertThat(sender.sent).hasSize(afterFirst);
    }

    @Test
    void dispatch_shouldOrderByTheErpTimestamp_notEventBridgesSecond_whenEventsOfOneKeyArriveOutOfOrder() {
        // both carry the same EventBridge time (one-second resolution); detail.changedAt tells them apart
        DeliveredEvent first = event(
                "ev-a",
                "pyerp.inventory",
                "StockLevelChanged",
                "2026-11-25T10:15:02Z",
                example("stock-level-changed.json")
                        .put("changedAt", "2026-11-25T10:15:02.100Z")
                        .put("onHand", 1));
        DeliveredEvent second = event(
                "ev-b",
                "pyerp.inventory",
                "StockLevelChanged",
                "2026-11-25T10:15:02Z",
                example("stock-level-changed.json")
                        .put("changedAt", "2026-11-25T10:15:02.900Z")
                        .put("onHand", 2));

        dispatcher.dispatch(second);
        int afterSecond = sender.sent.size();
        DispatchReport late = dispatcher.dispatch(first);

        assertThat(late.coalesced())
                .as("the older change arrives late and is dropped")
                .isEqualTo(1);
        assertThat(sender.sent).hasSize(afterSecond);
        assertThat(frameFor("wh1-clerk").get("data").get("onHand").asInt()).isEqualTo(2);
    }

    @Test
    void dispatch_shouldDropAStraggler_forAsLongAsItRemembersEventIds_andDeliverItAfterwards() {
        // a late, older update is stale whenever it comes (the batching window delays everything by up to 1 s, so a
        // horizon as short as the coalescing window would let stragglers through); the memory lasts the dedupe window
        MutableClock clock = new MutableClock(NOW);
        try (Dispatcher d = new Dispatcher(CATALOG, registry, sender, clock, 4, Duration.ofMinutes(10))) {
            d.dispatch(stockLevel("ev-new", "2026-11-25T10:15:02Z", example("stock-level-changed.json")));

            clock.now = NOW.plusSeconds(5);
            DispatchReport withinMemory =
                    d.dispatch(stockLevel("ev-old-1", "2026-11-25T10:15:01Z", example("stock-level-changed.json")));
            clock.now = NOW.plus(Duration.ofMinutes(11));
            DispatchReport afterMemory =
                    d.dispatch(stockLevel("ev-old-2", "2026-11-25T10:15:01Z", example("stock-level-changed.json")));

            assertThat(withinMemory.coalesced()).isEqualTo(1);
            assertThat(afterMemory.coalesced())
                    .as("forgotten after the dedupe window: delivered")
                    .isZero();
            assertThat(afterMemory.delivered()).isEqualTo(3);
        }
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void dispatch_shouldDeliverBoth_whenTheCoalescingKeysDiffer() {
        connect("sku-2-watcher", "acme", "erin", Set.of("inventory:read"), "inventory.sku.SKU-2");
        DispatchReport report = dispatcher.dispatch(List.of(
                stockLevel("ev-a", "2026-11-25T10:15:02Z", example("stock-level-changed.json")),
                stockLevel(
                        "ev-b",
                        "2026-11-25T10:15:01Z",
                        example("stock-level-changed.json").put("sku", "SKU-2")),
                stockLevel(
                        "ev-c",
                        "2026-11-25T10:15:01Z",
                        example("stock-level-changed.json").put("tenantId", "globex"))));

        assertThat(report.coalesced()).isZero();
        assertThat(sender.sent)
                .extracting(s -> s.frame().get("eventId").asString())
                .contains("ev-a", "ev-b", "ev-c");
    }

    @Test
    void dispatch_shouldDeliverANewerEvent_afterAnOlderOne_onceTheKeysWindowEnded() {
        MutableClock clock = new MutableClock(NOW);
        try (Dispatcher d = new Dispatcher(CATALOG, registry, sender, clock, 4, Duration.ofMinutes(10))) {
            d.dispatch(stockLevel("ev-1", "2026-11-25T10:15:01Z", example("stock-level-changed.json")));
            clock.now = NOW.plusMillis(1000); // stock-level-changed: windowMillis 1000
            DispatchReport newer =
                    d.dispatch(stockLevel("ev-2", "2026-11-25T10:15:02Z", example("stock-level-changed.json")));

            assertThat(newer.coalesced()).isZero();
            assertThat(newer.heldEventIds()).isEmpty();
            assertThat(newer.delivered()).isEqualTo(3);
        }
    }

    // Regression: the catalog's windowMillis was not enforced across batches (issue 9).
    @Test
    void dispatch_shouldThrottleAKeyAcrossBatches_leadingAndTrailingEdge() {
        MutableClock clock = new MutableClock(NOW);
        try (Dispatcher d = new Dispatcher(CATALOG, registry, sender, clock, 4, Duration.ofMinutes(10))) {
            // leading edge: the first event of the key goes out at once
            DispatchReport first = d.dispatch(stockLevel(
                    "ev-1",
                    "2026-11-25T10:15:01.000Z",
                    example("stock-level-changed.json").put("onHand", 1)));
            assertThat(first.delivered()).isEqualTo(3);
            assertThat(first.heldEventIds()).isEmpty();

            // within the window (1000 ms), in later batches: held until the window ends
            clock.now = NOW.plusMillis(300);
            DispatchReport second = d.dispatch(stockLevel(
                    "ev-2",
                    "2026-11-25T10:15:01.300Z",
                    example("stock-level-changed.json").put("onHand", 2)));
            clock.now = NOW.plusMillis(400);
            DispatchReport third = d.dispatch(stockLevel(
                    "ev-3",
                    "2026-11-25T10:15:01.400Z",
                    example("stock-level-changed.json").put("onHand", 3)));
            assertThat(second.delivered()).isZero();
            assertThat(second.heldEventIds()).containsEntry("ev-2", Duration.ofMillis(700));
            assertThat(third.heldEventIds()).containsEntry("ev-3", Duration.ofMillis(600));
            assertThat(sender.sent).hasSize(3);

            // the window ends; both held events come back: the superseded one is dropped, the latest is delivered
            clock.now = NOW.plusMillis(1000);
            DispatchReport back2 = d.dispatch(stockLevel(
                    "ev-2",
                    "2026-11-25T10:15:01.300Z",
                    example("stock-level-changed.json").put("onHand", 2)));
            DispatchReport back3 = d.dispatch(stockLevel(
                    "ev-3",
                    "2026-11-25T10:15:01.400Z",
                    example("stock-level-changed.json").put("onHand", 3)));
            assertThat(back2.coalesced()).isEqualTo(1);
            assertThat(back2.delivered()).isZero();
            assertThat(back3.delivered()).isEqualTo(3);
            assertThat(back3.duplicates()).as("a held event is not a duplicate").isZero();
            assertThat(sender.framesFor("wh1-clerk"))
                    .as("leading edge, then the latest at the trailing edge")
                    .extracting(f -> f.get("data").get("onHand").asInt())
                    .containsExactly(1, 3);

            // another key is never held by this one
            connect("sku-2-watcher", "acme", "erin", Set.of("inventory:read"), "inventory.sku.SKU-2");
            DispatchReport otherKey = d.dispatch(stockLevel(
                    "ev-x",
                    "2026-11-25T10:15:02.000Z",
                    example("stock-level-changed.json").put("sku", "SKU-2")));
            assertThat(otherKey.heldEventIds()).isEmpty();
            assertThat(otherKey.delivered()).isPositive();
        }
    }

    @Test
    void dispatch_shouldNotHoldTheRetryOfAFailedDelivery() {
        MutableClock clock = new MutableClock(NOW);
        try (Dispatcher d = new Dispatcher(
                CATALOG, new FlakyRegistry(registry, new AtomicInteger(1)), sender, clock, 4, Duration.ofMinutes(10))) {
            DispatchReport failed = d.dispatch(stockLevel("ev-1"));
            assertThat(failed.failedEventIds()).containsExactly("ev-1");

            clock.now = NOW.plusMillis(100);
            DispatchReport retry = d.dispatch(stockLevel("ev-1"));

            assertThat(retry.heldEventIds())
                    .as("no delivery happened to throttle on")
                    .isEmpty();
            assertThat(retry.delivered()).isEqualTo(3);
        }
    }

    @Test
    void dispatch_shouldForgetTheEventId_whenTheRegistryFails_soEventBridgesRetryIsDelivered() {
        // Simulates a DynamoDB outage during the subscriber query, which the in-memory registry cannot produce.
        Dispatcher withOutage = new Dispatcher(
                CATALOG, new FlakyRegistry(registry, new AtomicInteger(1)), sender, CLOCK, 4, Duration.ofMinutes(10));
        try {
            DispatchReport failed = withOutage.dispatch(stockLevel("ev-1"));
            assertThat(failed.failedEventIds())
                    .as("reported for a retry (a batch item failure)")
                    .containsExactly("ev-1");
            assertThat(failed.delivered()).isZero();

            DispatchReport retry = withOutage.dispatch(stockLevel("ev-1"));

            assertThat(retry.duplicates()).isZero();
            assertThat(retry.delivered()).isEqualTo(3);
        } finally {
            withOutage.close();
        }
    }

    @Test
    void dispatch_shouldLogTheCorrelationId_onEveryLineAboutTheEvent() {
        sender.outcomes.put(
                "wh2-clerk", attempt -> new ConnectionSender.Outcome(ConnectionSender.Status.FAILED, "500"));
        sender.outcomes.put("wh2-controller", attempt -> ConnectionSender.Outcome.GONE);
        connect(
                "wh2-controller",
                "acme",
                "frank",
                Set.of("inventory:read", "inventory:cost"),
                "inventory.warehouse.WH-2");

        dispatcher.dispatch(stockLevel("ev-2", "2026-11-25T08:02:11Z", example("stock-level-changed-receipt.json")));
        dispatcher.dispatch(stockLevel("ev-2", "2026-11-25T08:02:11Z", example("stock-level-changed-receipt.json")));

        List<JsonNode> lines = logLines.stream().map(JSON::readTree).toList();
        assertThat(lines)
                .extracting(l -> l.path("message").asString())
                .contains("post failed", "stale connection removed", "duplicate event skipped");
        for (String message : List.of("post failed", "stale connection removed", "duplicate event skipped")) {
            JsonNode line = lines.stream()
                    .filter(l -> l.path("message").asString().equals(message))
                    .findFirst()
                    .orElseThrow();
            assertThat(line.path("correlationId").asString()).as(message).isEqualTo("po-7781-receipt");
            assertThat(line.path("eventId").asString()).as(message).isEqualTo("ev-2");
        }
        JsonNode failed = lines.stream()
                .filter(l -> l.path("message").asString().equals("post failed"))
                .findFirst()
                .orElseThrow();
        assertThat(failed.path("connectionId").asString()).isEqualTo("wh2-clerk");
        assertThat(failed.path("level").asString()).isEqualTo("WARN");
    }

    @Test
    void dispatch_shouldLogTheCorrelationId_whenAnEventIsInvalid() {
        ObjectNode detail = example("stock-level-changed-receipt.json");
        detail.remove("sku");

        dispatcher.dispatch(stockLevel("ev-3", "2026-11-25T08:02:11Z", detail));

        JsonNode line = logLines.stream()
                .map(JSON::readTree)
                .filter(l -> l.path("message").asString().equals("invalid event not delivered"))
                .findFirst()
                .orElseThrow();
        assertThat(line.path("correlationId").asString()).isEqualTo("po-7781-receipt");
        assertThat(line.path("reason").asString()).contains("sku");
    }

    @Test
    void close_shouldCloseAClosableSender() {
        AtomicInteger closed = new AtomicInteger();
        class ClosableSender extends RecordingSender implements AutoCloseable {
            @Override
            public void close() {
                closed.incrementAndGet();
            }
        }
        new Dispatcher(CATALOG, registry, new ClosableSender(), CLOCK, 2, Duration.ofMinutes(1)).close();

        assertThat(closed.get()).isEqualTo(1);
    }

    record Sent(String connectionId, JsonNode frame) {}

    /** Records every post; per connection, an outcome by attempt number (1, 2, ...), DELIVERED by default. */
    static class RecordingSender implements ConnectionSender {
        final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
        final Map<String, Function<Integer, Outcome>> outcomes = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<Outcome> send(String connectionId, byte[] payload) {
            int attempt = attempts.computeIfAbsent(connectionId, k -> new AtomicInteger())
                    .incrementAndGet();
            Outcome out =
                    outcomes.getOrDefault(connectionId, a -> Outcome.DELIVERED).apply(attempt);
            if (out.status() == Status.DELIVERED)
                sent.add(new Sent(connectionId, JSON.readTree(new String(payload, StandardCharsets.UTF_8))));
            return CompletableFuture.completedFuture(out);
        }

        int attempts(String connectionId) {
            AtomicInteger n = attempts.get(connectionId);
            return n == null ? 0 : n.get();
        }

        List<String> recipients() {
            return sent.stream().map(Sent::connectionId).toList();
        }

        List<JsonNode> framesFor(String connectionId) {
            return sent.stream()
                    .filter(s -> s.connectionId().equals(connectionId))
                    .map(Sent::frame)
                    .toList();
        }
    }

    /** Holds every post (an incomplete future) until released, measuring how many are in flight at once. */
    static final class BlockingSender implements ConnectionSender {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();
        final CountDownLatch firstPosts;
        final CountDownLatch release = new CountDownLatch(1);
        private final ExecutorService completer = Executors.newSingleThreadExecutor();

        BlockingSender(int first) {
            firstPosts = new CountDownLatch(first);
        }

        @Override
        public CompletableFuture<Outcome> send(String connectionId, byte[] payload) {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            started.incrementAndGet();
            firstPosts.countDown();
            return CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        inFlight.decrementAndGet();
                        return Outcome.DELIVERED;
                    },
                    completer);
        }
    }

    /** The in-memory registry whose subscriber query fails a given number of times first. */
    static final class FlakyRegistry extends ForwardingConnectionRegistry {
        private final AtomicInteger failuresLeft;

        FlakyRegistry(InMemoryConnectionRegistry delegate, AtomicInteger failuresLeft) {
            super(delegate);
            this.failuresLeft = failuresLeft;
        }

        @Override
        public Stream<Subscriber> subscribers(String channelKey, Instant now) {
            if (failuresLeft.getAndDecrement() > 0) throw new RegistryUnavailableException("query failed", null);
            return super.subscribers(channelKey, now);
        }
    }
}
