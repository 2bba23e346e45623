package com.pyerp.realtime.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.core.registry.Subscriber;
import com.pyerp.realtime.events.EventCatalog;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fan-out under pressure, with deterministic fake senders that answer asynchronously (like the SDK's async
 * client): a throttling storm loses nothing, gone connections are removed off the fan-out's path, and scatter splits a
 * large channel into page tasks whose union is the channel, each subscriber once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FanOutTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final EventCatalog CATALOG = EventCatalog.load();
    private static final Instant NOW = Instant.parse("2026-11-25T10:15:05Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final ObjectNode NOTICE =
            (ObjectNode) EventCatalog.readTree(EventCatalog.BASE + "examples/maintenance-notice.json");
    private static final String TENANT = NOTICE.path(CATALOG.tenantField()).asString();

    private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
    private final ScheduledExecutorService io = Executors.newScheduledThreadPool(2);
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() {
        JsonLog.setSink(logLines::add);
    }

    @AfterEach
    void tearDown() {
        io.shutdownNow();
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    private void subscribers(int n) {
        for (int i = 0; i < n; i++) {
            String id = "tab-" + i;
            registry.register(new Connection(
                    id,
                    new Principal("u" + i, TENANT, Set.of(), Map.of()),
                    NOW.minusSeconds(60),
                    NOW.plus(Duration.ofHours(2))));
            registry.subscribe(id, TENANT + "/system.broadcast", NOW);
        }
    }

    private static DeliveredEvent notice(String id) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", "0");
        n.put("id", id);
        n.put("detail-type", "MaintenanceNotice");
        n.put("source", "pyerp.system");
        n.put("time", "2026-11-25T10:00:00Z");
        n.putArray("resources");
        n.set("detail", NOTICE.deepCopy());
        return DeliveredEvent.fromEventBridge(n);
    }

    /**
     * A gateway that holds each post 1 ms and answers 429 while more than {@code capacity} posts are in flight (API
     * Gateway's "client buffer full" / throttle), counting deliveries per connection.
     */
    final class CrowdedGateway implements ConnectionSender {
        final int capacity;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger throttled = new AtomicInteger();
        final Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();

        CrowdedGateway(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public CompletableFuture<Outcome> send(String connectionId, byte[] payload) {
            CompletableFuture<Outcome> f = new CompletableFuture<>();
            boolean accepted = inFlight.incrementAndGet() <= capacity;
            io.schedule(
                    () -> {
                        inFlight.decrementAndGet();
                        if (accepted) {
                            delivered
                                    .computeIfAbsent(connectionId, k -> new AtomicInteger())
                                    .incrementAndGet();
                            f.complete(Outcome.DELIVERED);
                        } else {
                            throttled.incrementAndGet();
                            f.complete(Outcome.THROTTLED);
                        }
                    },
                    1,
                    TimeUnit.MILLISECONDS);
            return f;
        }
    }

    @Test
    void dispatch_shouldDeliverEveryPostOnce_throughAThrottlingStorm() {
        subscribers(2_000);
        CrowdedGateway gateway = new CrowdedGateway(16);
        FanOutPolicy policy =
                new FanOutPolicy(64, 256, 1, Duration.ofMillis(2), Duration.ofMillis(50), Duration.ofSeconds(30), 42);
        try (Dispatcher d = new Dispatcher(
                CATALOG, registry, gateway, CLOCK, policy, Duration.ofMinutes(10), null, FanOutPages.PAGE_SIZE)) {
            DispatchReport report = d.dispatch(notice("storm-1"));

            assertThat(gateway.throttled.get()).as("the storm happened").isGreaterThan(100);
            assertThat(report.recipients()).isEqualTo(2_000);
            assertThat(report.delivered()).isEqualTo(2_000);
            assertThat(report.failed()).isZero();
            assertThat(report.failedEventIds()).isEmpty();
            assertThat(gateway.delivered).hasSize(2_000);
            assertThat(gateway.delivered.values())
                    .as("no duplicate")
                    .allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        }
    }

    @Test
    void fanOut_shouldShrinkItsConcurrency_whenThrottled() {
        CrowdedGateway gateway = new CrowdedGateway(8);
        FanOutPolicy policy =
                new FanOutPolicy(64, 256, 1, Duration.ofMillis(1), Duration.ofMillis(20), Duration.ofSeconds(30), 7);
        FanOut f = new FanOut(gateway, policy, new java.util.Random(7), id -> {}, Map.of());
        List<FanOut.Post> posts = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) posts.add(new FanOut.Post("c" + i, new byte[] {1}));

        f.run(posts.iterator());

        assertThat(f.delivered.get()).isEqualTo(1_000);
        assertThat(f.decreases()).as("decreased on 429").isPositive();
        // after the first 429s the limit hovers near the gateway's capacity instead of the initial 64: far fewer 429s
        // than posts
        assertThat(gateway.throttled.get()).isLessThan(1_000);
    }

    @Test
    void adaptiveConcurrency_shouldGrowInSlowStart_decreaseOncePerRoundTrip_andStayWithinBounds() {
        AdaptiveConcurrency limit = new AdaptiveConcurrency(
                new FanOutPolicy(4, 10, 2, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), 0));
        for (int i = 0; i < 3; i++) limit.onAnswered();
        assertThat(limit.limit()).isEqualTo(7);
        for (int i = 0; i < 10; i++) limit.onAnswered();
        assertThat(limit.limit()).as("max").isEqualTo(10);

        limit.onThrottled(100, 200);
        assertThat(limit.limit()).as("x0.7").isEqualTo(7);
        limit.onThrottled(150, 210); // sent before the decrease at 200: same round trip, no second decrease
        assertThat(limit.limit()).isEqualTo(7);
        limit.onThrottled(205, 300);
        assertThat(limit.limit()).isEqualTo(4); // 4.9
        limit.onThrottled(305, 400);
        limit.onThrottled(405, 500);
        limit.onThrottled(505, 600);
        assertThat(limit.limit()).as("min").isEqualTo(2);

        for (int i = 0; i < 3; i++) limit.onAnswered(); // 2 + 1/2 + 1/2.5 + 1/2.9 = 3.24
        assertThat(limit.limit())
                .as("additive after slow start: +1/limit per answer")
                .isEqualTo(3);
    }

    @Test
    void fanOutPolicy_shouldBoundTheBackoffExponentially_upToTheCap() {
        FanOutPolicy p = FanOutPolicy.of(8).withBackoff(Duration.ofMillis(10), Duration.ofMillis(100));
        assertThat(p.backoffBoundNanos(1)).isEqualTo(Duration.ofMillis(10).toNanos());
        assertThat(p.backoffBoundNanos(2)).isEqualTo(Duration.ofMillis(20).toNanos());
        assertThat(p.backoffBoundNanos(4)).isEqualTo(Duration.ofMillis(80).toNanos());
        assertThat(p.backoffBoundNanos(5)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(p.backoffBoundNanos(500)).isEqualTo(Duration.ofMillis(100).toNanos());
    }

    @Test
    void dispatch_shouldRemoveGoneConnectionsOffTheFanOutPath() {
        subscribers(400);
        AtomicInteger removed = new AtomicInteger();
        AtomicInteger removedWhenLastPostWasSent = new AtomicInteger(-1);
        AtomicInteger posts = new AtomicInteger();
        // every 4th connection is gone; removing one takes 20 ms (a slow registry): 100 x 20 ms = 2 s if inline
        ConnectionRegistry slow = (ConnectionRegistry) java.lang.reflect.Proxy.newProxyInstance(
                ConnectionRegistry.class.getClassLoader(),
                new Class<?>[] {ConnectionRegistry.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("remove")) {
                        Thread.sleep(20);
                        registry.remove((String) args[0]);
                        removed.incrementAndGet();
                        return null;
                    }
                    return m.invoke(registry, args);
                });
        ConnectionSender sender = (id, payload) -> {
            if (posts.incrementAndGet() == 400) removedWhenLastPostWasSent.set(removed.get());
            int n = Integer.parseInt(id.substring(4));
            return CompletableFuture.supplyAsync(
                    () -> n % 4 == 0 ? ConnectionSender.Outcome.GONE : ConnectionSender.Outcome.DELIVERED, io);
        };
        try (Dispatcher d = new Dispatcher(CATALOG, slow, sender, CLOCK, 32, Duration.ofMinutes(10))) {
            DispatchReport report = d.dispatch(notice("gone-1"));

            assertThat(report.gone()).isEqualTo(100);
            assertThat(report.delivered()).isEqualTo(300);
            assertThat(removedWhenLastPostWasSent.get())
                    .as("the fan-out did not wait for the removals")
                    .isLessThan(50);
            assertThat(removed.get())
                    .as("all removed before the invocation returns")
                    .isEqualTo(100);
            try (Stream<Subscriber> left = registry.subscribers(TENANT + "/system.broadcast", NOW)) {
                assertThat(left.count()).isEqualTo(300);
            }
            assertThat(registry.find("tab-0", NOW)).isEmpty();
            assertThat(registry.find("tab-1", NOW)).isPresent();
        }
    }

    @Test
    void dispatch_shouldScatterALargeChannel_intoPageTasksThatTogetherReachEverySubscriberOnce() {
        subscribers(35);
        Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
        ConnectionSender sender = (id, payload) -> {
            delivered.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            return CompletableFuture.completedFuture(ConnectionSender.Outcome.DELIVERED);
        };
        List<List<String>> enqueued = new ArrayList<>();
        FanOutPolicy policy = FanOutPolicy.of(8);
        try (Dispatcher d =
                new Dispatcher(CATALOG, registry, sender, CLOCK, policy, Duration.ofMinutes(10), enqueued::add, 10)) {
            DispatchReport coordinator = d.dispatch(notice("big-1"));

            assertThat(coordinator.delivered())
                    .as("the coordinator posts the first page itself")
                    .isEqualTo(10);
            List<String> tasks = enqueued.stream().flatMap(List::stream).toList();
            assertThat(tasks).hasSize(3);
            assertThat(tasks)
                    .allSatisfy(t -> assertThat(FanOutPages.isPageTask(t)).isTrue());
            List<FanOutPages.PageTask> pages =
                    tasks.stream().map(FanOutPages::parse).toList();
            assertThat(pages).extracting(p -> p.subscribers().size()).containsExactly(10, 10, 5);
            assertThat(pages).extracting(FanOutPages.PageTask::page).containsExactly(1, 2, 3);

            for (FanOutPages.PageTask p : pages) {
                DispatchReport r = d.dispatchPage(p);
                assertThat(r.delivered()).isEqualTo(p.subscribers().size());
                assertThat(r.failedEventIds()).isEmpty();
            }
            assertThat(d.dispatchPage(pages.get(0)).duplicates())
                    .as("a page received twice is skipped")
                    .isEqualTo(1);
        }
        assertThat(delivered).hasSize(35);
        assertThat(delivered.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    }

    @Test
    void dispatch_shouldFailTheEvent_whenThePageTasksCannotBeEnqueued() {
        subscribers(25);
        ConnectionSender sender =
                (id, payload) -> CompletableFuture.completedFuture(ConnectionSender.Outcome.DELIVERED);
        ScatterSink down = tasks -> {
            throw new IllegalStateException("queue unavailable");
        };
        try (Dispatcher d = new Dispatcher(
                CATALOG, registry, sender, CLOCK, FanOutPolicy.of(8), Duration.ofMinutes(10), down, 10)) {
            DispatchReport report = d.dispatch(notice("big-2"));

            assertThat(report.failedEventIds()).as("retried, not lost").containsExactly("big-2");
        }
    }
}
