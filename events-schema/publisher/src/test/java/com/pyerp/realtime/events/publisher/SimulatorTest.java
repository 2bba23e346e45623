package com.pyerp.realtime.events.publisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.EventDefinition;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@Timeout(60)
class SimulatorTest {
    private static final EventCatalog CATALOG = EventCatalog.load();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);
    private FakeEventBridge bus;
    private ErpEventPublisher publisher;

    @BeforeEach
    void start() throws Exception {
        bus = new FakeEventBridge();
        publisher = ErpEventPublisher.builder().endpoint(bus.endpoint()).build();
    }

    @AfterEach
    void stop() {
        publisher.close();
        bus.close();
    }

    private static List<ErpEvent> generate(long seed, Set<String> events, int n) {
        MockErp erp = new MockErp(CATALOG, seed, FIXED, "acme", List.of("alice", "bob", "carol"), events);
        List<ErpEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(erp.next());
        return out;
    }

    private static String name(ErpEvent e) {
        return CATALOG.find(e.source(), e.detailType()).orElseThrow().name();
    }

    @Test
    void generatedEvents_areSchemaValid_andCoverTheWholeCatalog() {
        List<ErpEvent> events = generate(1, MockErp.eventNames(CATALOG), 5000);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ErpEvent e : events) {
            EventDefinition def = CATALOG.find(e.source(), e.detailType()).orElseThrow();
            assertThat(def.validate(e.detail()))
                    .as(def.name() + " " + e.detail())
                    .isEmpty();
            assertThat(def.channelsFor(e.detail())).as(def.name()).isNotEmpty();
            assertThat(e.detail().path("tenantId").asString()).isEqualTo("acme");
            counts.merge(def.name(), 1, Integer::sum);
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(MockErp.eventNames(CATALOG));
    }

    @Test
    void generatedEvents_tellAConsistentStory() {
        Set<String> created = new HashSet<>();
        Map<String, String> lastStatus = new LinkedHashMap<>();
        for (ErpEvent e : generate(2, MockErp.eventNames(CATALOG), 5000)) {
            JsonNode d = e.detail();
            switch (name(e)) {
                case "order-created" -> created.add(d.path("orderId").asString());
                case "order-status-changed" -> {
                    String id = d.path("orderId").asString();
                    assertThat(created)
                            .as("status change of an order that was created")
                            .contains(id);
                    if (lastStatus.containsKey(id))
                        assertThat(d.path("previousStatus").asString()).isEqualTo(lastStatus.get(id));
                    lastStatus.put(id, d.path("status").asString());
                }
                case "order-shipped" ->
                    assertThat(lastStatus.get(d.path("orderId").asString())).isEqualTo("shipped");
                case "invoice-posted" ->
                    assertThat(lastStatus.get(d.path("orderId").asString())).isEqualTo("invoiced");
                case "stock-level-changed" -> {
                    assertThat(d.path("available").asDouble())
                            .isLessThanOrEqualTo(d.path("onHand").asDouble());
                    assertThat(d.path("available").asDouble()).isGreaterThanOrEqualTo(0);
                }
                case "low-stock-alert" ->
                    assertThat(d.path("available").asDouble())
                            .isLessThanOrEqualTo(d.path("reorderPoint").asDouble());
                default -> {}
            }
        }
        assertThat(lastStatus.values()).contains("shipped", "invoiced");
    }

    @Test
    void sameSeed_sameEvents_otherSeed_otherEvents() {
        Set<String> all = MockErp.eventNames(CATALOG);
        List<String> a =
                generate(42, all, 300).stream().map(e -> e.detail().toString()).toList();
        List<String> b =
                generate(42, all, 300).stream().map(e -> e.detail().toString()).toList();
        List<String> c =
                generate(43, all, 300).stream().map(e -> e.detail().toString()).toList();
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void eventFilter_generatesOnlyTheChosenEvents() {
        Set<String> chosen = Set.of("low-stock-alert", "order-shipped");
        List<ErpEvent> events = generate(3, chosen, 200);
        assertThat(events).extracting(SimulatorTest::name).containsOnly("low-stock-alert", "order-shipped");
        assertThat(events).extracting(SimulatorTest::name).contains("low-stock-alert", "order-shipped");
    }

    @Test
    void run_sendsTheTargetCount_reportsProgress_andTellsEveryResult() {
        List<Simulator.Progress> progress = new CopyOnWriteArrayList<>();
        List<PublishResult> results = new CopyOnWriteArrayList<>();
        Simulator sim = Simulator.builder()
                .publisher(publisher)
                .ratePerSecond(500)
                .maxEvents(120)
                .seed(5)
                .tenant("globex")
                .onResult(results::add)
                .build();

        Simulator.Summary s = sim.run(progress::add);

        assertThat(s.ok()).isTrue();
        assertThat(s.generated()).isEqualTo(120);
        assertThat(s.sent()).isEqualTo(120);
        assertThat(s.sentByEvent().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(120);
        assertThat(results).hasSize(120).allMatch(PublishResult::sent);
        assertThat(bus.entries()).hasSize(120);
        assertThat(bus.calls()).allSatisfy(c -> assertThat(c.entries().size()).isBetween(1, 10));
        for (JsonNode entry : bus.entries()) {
            JsonNode detail = JSON.readTree(entry.path("Detail").asString());
            assertThat(detail.path("tenantId").asString()).isEqualTo("globex");
            assertThat(detail.path("_meta").path("producer").asString()).isEqualTo(ErpEventPublisher.DEFAULT_PRODUCER);
        }
        assertThat(progress).isNotEmpty();
        Simulator.Progress last = progress.get(progress.size() - 1);
        assertThat(last.generated()).isEqualTo(120);
        assertThat(last.line()).startsWith("120/120 events  sent 120  rejected 0  failed 0");
    }

    @Test
    void run_spreadsEventsOverTheDuration() {
        // event k is due k/rate seconds after the start, so 10 events at 20/s take at least 9/20 s
        Simulator sim = Simulator.builder()
                .publisher(publisher)
                .ratePerSecond(20)
                .duration(Duration.ofMillis(500))
                .seed(6)
                .build();
        assertThat(sim.target()).isEqualTo(10);
        Simulator.Summary s = sim.run(null);
        assertThat(s.sent()).isEqualTo(10);
        assertThat(s.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        assertThat(bus.calls().size()).isGreaterThan(1);
    }

    @Test
    void stop_endsARunEarly() throws Exception {
        Simulator sim = Simulator.builder()
                .publisher(publisher)
                .ratePerSecond(10)
                .duration(Duration.ofMinutes(10))
                .seed(7)
                .build();
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            sim.stop();
        });
        t.start();
        Simulator.Summary s = sim.run(null);
        t.join();
        assertThat(s.stoppedBecause()).isEqualTo("stopped");
        assertThat(s.sent()).isBetween(1L, 20L);
    }

    @Test
    void unreachableEndpoint_stopsAfterTheFirstRound_withTheReason() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (ErpEventPublisher nowhere =
                ErpEventPublisher.builder().endpoint("http://127.0.0.1:" + port).build()) {
            Simulator.Summary s = Simulator.builder()
                    .publisher(nowhere)
                    .ratePerSecond(100)
                    .maxEvents(50)
                    .seed(8)
                    .build()
                    .run(null);
            assertThat(s.sent()).isZero();
            assertThat(s.failed()).isEqualTo(1);
            assertThat(s.stoppedBecause()).startsWith("cannot publish to http://127.0.0.1:" + port + ": ");
            assertThat(s.errors()).singleElement().asString().startsWith("SdkClientException: ");
        }
    }

    @Test
    void builder_explainsBadSettings() {
        assertThatThrownBy(() -> Simulator.builder().build()).hasMessage("publisher is not set");
        assertThatThrownBy(() -> Simulator.builder()
                        .publisher(publisher)
                        .ratePerSecond(0)
                        .build())
                .hasMessage("rate must be in (0, 10000] events per second, got 0.0");
        assertThatThrownBy(() -> Simulator.builder()
                        .publisher(publisher)
                        .duration(Duration.ZERO)
                        .build())
                .hasMessage("duration must be more than 0 and at most 1 day, got PT0S");
        assertThatThrownBy(() ->
                        Simulator.builder().publisher(publisher).tenant("a/b").build())
                .hasMessage("tenant must be 1-64 characters [A-Za-z0-9_-], got 'a/b'");
        assertThatThrownBy(() -> Simulator.builder()
                        .publisher(publisher)
                        .users(List.of("alice.smith"))
                        .build())
                .hasMessage("a user id must be 1-64 characters of [A-Za-z0-9_@-], got 'alice.smith'");
        assertThatThrownBy(() -> Simulator.builder()
                        .publisher(publisher)
                        .events(Set.of("stock-teleported"))
                        .build())
                .hasMessageStartingWith(
                        "unknown event stock-teleported; the catalog has: stock-level-changed, stock-reserved");
        assertThat(Simulator.builder().publisher(publisher).build().target())
                .as("default 5/s for 60 s")
                .isEqualTo(300);
    }
}
