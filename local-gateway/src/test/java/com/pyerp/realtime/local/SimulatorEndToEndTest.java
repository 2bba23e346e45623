package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.EventDefinition;
import com.pyerp.realtime.events.ProtocolSchemas;
import com.pyerp.realtime.events.publisher.ErpEventPublisher;
import com.pyerp.realtime.events.publisher.PublishResult;
import com.pyerp.realtime.events.publisher.Simulator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A simulated run delivers the right events to the right subscribers and nothing to others.
 *
 * <p>The local gateway runs on port 0 with the real handlers; the event simulator publishes a few hundred realistic
 * events through the real publisher library (EventBridge SDK client) to the gateway's PutEvents endpoint; real
 * WebSocket clients with different roles, scopes, users and tenants subscribe to channels. The expected deliveries
 * are computed from the catalog alone (channels from the detail, the subscriber's channels, field visibility by role)
 * and compared with what each socket received.
 *
 * <p>Coalescing makes some deliveries legitimately optional: across dispatcher invocations an event older than the
 * latest delivered one with the same key is dropped. So for events with a coalescing key the test requires that
 * nothing unexpected arrives and that the last event of every key arrives; for all other events it requires exactly
 * the expected set.
 */
@Timeout(180)
class SimulatorEndToEndTest {
    private static final EventCatalog CATALOG = EventCatalog.load();
    private static final int EVENTS = 400;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The gateway's log, printed only when a test fails (the simulation runs in @BeforeAll: see GatewayLogs). */
    @RegisterExtension
    static final GatewayLogs LOGS = new GatewayLogs();

    /** A connected subscriber: who it is, what it subscribed to, and what it received. */
    record Client(
            String name,
            String tenant,
            String user,
            Set<String> roles,
            Set<String> channels,
            TestSocket socket,
            List<JsonNode> received) {}

    static LocalGateway gw;
    static WebSocketClient ws;
    static final List<Client> clients = new ArrayList<>();
    static final List<PublishResult> published = new CopyOnWriteArrayList<>();
    static Simulator.Summary summary;

    @BeforeAll
    static void run(@TempDir Path dir) throws Exception {
        gw = LocalGateway.startEphemeral(TestGateways.config(dir).build());
        ws = new WebSocketClient();
        ws.start();

        connect(
                "warehouse-1 clerk",
                "acme",
                "clerk",
                List.of("inventory:read"),
                List.of("WH-1"),
                "inventory.warehouse.WH-1",
                "inventory.alerts.WH-1");
        connect(
                "sku buyer (sees costs)",
                "acme",
                "buyer",
                List.of("inventory:read", "inventory:cost"),
                List.of("*"),
                "inventory.sku.SKU-1001",
                "inventory.sku.SKU-1005",
                "inventory.alerts.WH-2");
        connect("sales rep", "acme", "rep", List.of("sales:read"), List.of(), "sales.orders");
        connect(
                "finance",
                "acme",
                "fin",
                List.of("sales:read", "sales:finance"),
                List.of(),
                "sales.orders",
                "sales.invoices");
        connect(
                "production planner",
                "acme",
                "planner",
                List.of("production:read", "production:cost"),
                List.of(),
                "production.orders",
                "production.line.L2",
                "production.machine.CNC-01");
        connect("dashboard", "acme", "wallboard", List.of("dashboard:read"), List.of(), "production.kpi");
        connect("alice", "acme", "alice", List.of(), List.of(), "user.alice", "system.broadcast");
        connect("bob", "acme", "bob", List.of(), List.of(), "user.bob");
        connect(
                "mallory (no notifications)",
                "acme",
                "mallory",
                List.of(),
                List.of(),
                "user.mallory",
                "system.broadcast");
        connect(
                "other tenant",
                "globex",
                "gx-admin",
                List.of(
                        "inventory:read",
                        "inventory:cost",
                        "sales:read",
                        "sales:finance",
                        "production:read",
                        "dashboard:read"),
                List.of("*"),
                "inventory.warehouse.WH-1",
                "sales.orders",
                "sales.invoices",
                "production.kpi",
                "system.broadcast");
        connect(
                "connected, subscribed to nothing",
                "acme",
                "idle",
                List.of("inventory:read", "sales:read", "sales:finance", "production:read"),
                List.of("*"));

        try (ErpEventPublisher publisher = ErpEventPublisher.builder()
                .endpoint(gw.eventBridgeUrl())
                .bus(gw.bus())
                .environment(Map.of())
                .region("us-east-1")
                .producer("simulator-e2e")
                .build()) {
            summary = Simulator.builder()
                    .publisher(publisher)
                    .ratePerSecond(200)
                    .maxEvents(EVENTS)
                    .seed(20261125L)
                    .tenant("acme")
                    .users(List.of("alice", "bob", "carol"))
                    .onResult(published::add)
                    .build()
                    .run(null);
        }
        // wait until every subscriber has every non-optional event, then a quiet period for strays
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (Client c : clients) {
            Set<String> required = required(c);
            while (!ids(c).containsAll(required) && System.nanoTime() < deadline) drain(c, Duration.ofMillis(200));
        }
        long quietUntil = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() < quietUntil) {
            for (Client c : clients) drain(c, Duration.ofMillis(20));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Client c : clients) c.socket().close();
        if (ws != null) ws.stop();
        if (gw != null) gw.close();
    }

    static void connect(
            String name, String tenant, String user, List<String> roles, List<String> warehouses, String... channels)
            throws Exception {
        TestSocket s = new TestSocket();
        ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
        req.setSubProtocols("erp.v1", gw.mintToken(user, tenant, roles, warehouses, Duration.ofMinutes(10)));
        ws.connect(s, req).get();
        int n = 0;
        for (String ch : channels) {
            JsonNode ack = s.command("{\"action\":\"subscribe\",\"channel\":\"" + ch + "\",\"id\":\"s" + (n++) + "\"}");
            assertThat(ack.path("type").asString())
                    .as(name + " subscribes to " + ch + ": " + ack)
                    .isEqualTo("ack");
        }
        clients.add(new Client(
                name,
                tenant,
                user,
                Set.copyOf(roles),
                new LinkedHashSet<>(List.of(channels)),
                s,
                new CopyOnWriteArrayList<>()));
    }

    static void drain(Client c, Duration wait) throws InterruptedException {
        String m = c.socket().poll(wait);
        while (m != null) {
            c.received().add(JSON.readTree(m));
            m = c.socket().poll(Duration.ZERO);
        }
    }

    /** One delivery: an event on a channel. */
    record Delivery(String eventId, String channel) {}

    static EventDefinition definition(PublishResult r) {
        return CATALOG.find(r.event().source(), r.event().detailType()).orElseThrow();
    }

    /** What the catalog says this client should receive, by delivery. */
    static Map<Delivery, PublishResult> expected(Client c) {
        Map<Delivery, PublishResult> out = new LinkedHashMap<>();
        for (PublishResult r : published) {
            if (!r.sent()
                    || !c.tenant()
                            .equals(r.event()
                                    .detail()
                                    .path(CATALOG.tenantField())
                                    .asString())) continue;
            for (String ch : definition(r).channelsFor(r.event().detail())) {
                if (c.channels().contains(ch)) out.put(new Delivery(r.eventId(), ch), r);
            }
        }
        return out;
    }

    /**
     * Coalescing windows longer than this are not waited out: their latest event may still be held (trailing edge,
     * up to a minute for low-stock alerts); the first of such a key must have arrived at once (leading edge).
     */
    static final long LONG_WINDOW_MILLIS = 10_000;

    static boolean longWindow(EventDefinition def) {
        return def.coalesce().map(co -> co.windowMillis() > LONG_WINDOW_MILLIS).orElse(false);
    }

    /**
     * The deliveries that must arrive: every expected delivery of an event without a coalescing key, and the last
     * expected delivery of each coalescing key on each channel (the latest is never superseded; it arrives at the
     * trailing edge of the key's window), except for keys with a long window (see {@link #LONG_WINDOW_MILLIS}).
     */
    static Set<String> required(Client c) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Delivery> lastByKey = new HashMap<>();
        for (Map.Entry<Delivery, PublishResult> e : expected(c).entrySet()) {
            EventDefinition def = definition(e.getValue());
            var key = def.coalesceKey(e.getValue().event().detail());
            if (key.isEmpty()) out.add(e.getKey().toString());
            else if (!longWindow(def))
                lastByKey.put(key.get() + "@" + e.getKey().channel(), e.getKey());
        }
        lastByKey.values().forEach(d -> out.add(d.toString()));
        return out;
    }

    static Set<String> ids(Client c) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode f : c.received())
            out.add(new Delivery(f.path("eventId").asString(), f.path("channel").asString()).toString());
        return out;
    }

    static Client client(String name) {
        return clients.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theSimulatorSentEveryEvent_ofEveryKind() {
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.sent()).isEqualTo(EVENTS);
        assertThat(published).hasSize(EVENTS).allMatch(PublishResult::sent);
        assertThat(summary.sentByEvent().keySet()).hasSizeGreaterThanOrEqualTo(12);
    }

    @Test
    void everySubscriber_receivesWhatTheCatalogSays_andNothingElse() {
        int total = 0;
        for (Client c : clients) {
            Map<Delivery, PublishResult> expected = expected(c);
            Set<String> expectedIds = new TreeSet<>();
            expected.keySet().forEach(d -> expectedIds.add(d.toString()));
            Set<String> got = ids(c);
            assertThat(got).as(c.name() + ": nothing unexpected arrives").isSubsetOf(expectedIds);
            assertThat(got).as(c.name() + ": every required delivery arrives").containsAll(required(c));
            // long windows: the leading edge of every key arrived
            Map<String, Set<String>> longKeys = new HashMap<>();
            for (Map.Entry<Delivery, PublishResult> e : expected.entrySet()) {
                EventDefinition def = definition(e.getValue());
                if (!longWindow(def)) continue;
                String key = def.coalesceKey(e.getValue().event().detail()).orElseThrow() + "@"
                        + e.getKey().channel();
                longKeys.computeIfAbsent(key, k -> new LinkedHashSet<>())
                        .add(e.getKey().toString());
            }
            longKeys.forEach((key, deliveries) -> assertThat(got)
                    .as(c.name() + ": the first event of " + key + " arrives at once")
                    .containsAnyElementsOf(deliveries));
            assertThat(c.received())
                    .as(c.name() + ": each delivery arrives once")
                    .hasSize(got.size());
            total += got.size();
        }
        assertThat(total).as("the run delivered something").isGreaterThan(EVENTS / 2);
    }

    @Test
    void eachFrame_isAValidEventFrame_withTheDataTheSubscribersRolesMaySee() {
        Map<String, PublishResult> byId = new HashMap<>();
        published.forEach(r -> byId.put(r.eventId(), r));
        for (Client c : clients) {
            for (JsonNode f : c.received()) {
                assertThat(ProtocolSchemas.validateServerFrame(f))
                        .as(c.name() + " " + f)
                        .isEmpty();
                PublishResult r = byId.get(f.path("eventId").asString());
                EventDefinition def = definition(r);
                assertThat(f.path("eventType").asString()).isEqualTo(def.detailType());
                assertThat(f.path("source").asString()).isEqualTo(def.source());
                assertThat(f.path("correlationId").asString())
                        .as("the publisher's correlation id")
                        .isEqualTo(r.correlationId());
                assertThat(f.path("data"))
                        .as(c.name() + " " + def.name())
                        .isEqualTo(def.visibleTo(r.event().detail(), c.roles()));
                assertThat(f.path("data").has("_meta")).isFalse();
            }
        }
    }

    @Test
    void isolation_otherTenantsAndIdleConnectionsReceiveNothing() {
        assertThat(client("other tenant").received()).isEmpty();
        assertThat(client("connected, subscribed to nothing").received()).isEmpty();
        // notifications reach their addressees only
        assertThat(client("mallory (no notifications)").received())
                .allSatisfy(f -> assertThat(f.path("channel").asString()).isEqualTo("system.broadcast"));
        assertThat(client("alice").received())
                .extracting(f -> f.path("channel").asString())
                .contains("user.alice");
        assertThat(client("bob").received())
                .extracting(f -> f.path("channel").asString())
                .containsOnly("user.bob");
    }

    @Test
    void sensitiveFields_followTheRoles() {
        List<JsonNode> rep = client("sales rep").received();
        List<JsonNode> finance = client("finance").received();
        assertThat(rep).isNotEmpty();
        assertThat(rep).noneMatch(f -> f.path("data").has("totalAmount"));
        assertThat(finance).anyMatch(f -> f.path("data").has("totalAmount"));
        // a sales rep sees shipment prices, warehouse staff do not
        assertThat(rep)
                .filteredOn(f -> f.path("eventType").asString().equals("OrderShipped"))
                .isNotEmpty()
                .allMatch(f -> f.path("data").path("lines").get(0).has("unitPrice"));
        List<JsonNode> clerkShipments = client("warehouse-1 clerk").received().stream()
                .filter(f -> f.path("eventType").asString().equals("OrderShipped"))
                .toList();
        assertThat(clerkShipments)
                .allMatch(f -> !f.path("data").path("lines").get(0).has("unitPrice"));
        // costs only for inventory:cost
        assertThat(client("warehouse-1 clerk").received())
                .noneMatch(f -> f.path("data").has("unitCost"));
        assertThat(client("sku buyer (sees costs)").received())
                .filteredOn(f -> f.path("eventType").asString().equals("StockLevelChanged"))
                .isNotEmpty()
                .allMatch(f -> f.path("data").has("unitCost"));
    }

    @Test
    void forbiddenChannels_areRefused() throws Exception {
        TestSocket clerk = client("warehouse-1 clerk").socket();
        JsonNode other =
                clerk.command("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-2\",\"id\":\"f1\"}");
        assertThat(other.path("code").asString()).isEqualTo("CHANNEL_FORBIDDEN");
        TestSocket board = client("dashboard").socket();
        assertThat(board.command("{\"action\":\"subscribe\",\"channel\":\"production.line.L1\",\"id\":\"f2\"}")
                        .path("code")
                        .asString())
                .isEqualTo("CHANNEL_FORBIDDEN");
        TestSocket bob = client("bob").socket();
        assertThat(bob.command("{\"action\":\"subscribe\",\"channel\":\"user.alice\",\"id\":\"f3\"}")
                        .path("code")
                        .asString())
                .isEqualTo("CHANNEL_FORBIDDEN");
    }
}
