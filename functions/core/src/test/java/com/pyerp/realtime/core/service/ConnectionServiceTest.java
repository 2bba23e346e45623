package com.pyerp.realtime.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.ForwardingConnectionRegistry;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import com.pyerp.realtime.core.registry.Subscriber;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.ProtocolSchemas;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ConnectionServiceTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration TTL = Duration.ofHours(2);
    private static final EventCatalog CATALOG = EventCatalog.load();

    private static final Principal ALICE = new Principal(
            "alice", "acme", Set.of("inventory:read", "sales:read"), Map.of("warehouses", Set.of("WH-1")));
    private static final Principal GLOBEX_BOB =
            new Principal("bob", "globex", Set.of("inventory:read"), Map.of("warehouses", Set.of("*")));

    private InMemoryConnectionRegistry memory;
    private CountingRegistry registry;
    private ConnectionService service;

    @BeforeEach
    void setUp() {
        memory = new InMemoryConnectionRegistry();
        registry = new CountingRegistry(memory);
        service = new ConnectionService(registry, CATALOG, CLOCK, TTL, 100);
        service.connect("conn-1", ALICE, NOW.minusSeconds(5));
        registry.writes.set(0);
    }

    /** The reply as JSON, checked against protocol/server-frame.schema.json. */
    private static JsonNode reply(String frame) {
        JsonNode n = JSON.readTree(frame);
        assertThat(ProtocolSchemas.validateServerFrame(n)).as(frame).isEmpty();
        return n;
    }

    private JsonNode send(String connectionId, Principal who, String body) {
        return reply(service.handle(connectionId, who, body));
    }

    private JsonNode subscribe(String channel, String id) {
        return send(
                "conn-1", ALICE, "{\"action\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":\"" + id + "\"}");
    }

    private static void assertError(JsonNode reply, String code, String id) {
        assertThat(reply.get("type").asString()).isEqualTo("error");
        assertThat(reply.get("code").asString()).isEqualTo(code);
        if (id == null) assertThat(reply.has("id")).isFalse();
        else assertThat(reply.get("id").asString()).isEqualTo(id);
        assertThat(reply.get("message").asString()).isNotBlank();
    }

    private List<String> subscribersOf(String key) {
        try (Stream<Subscriber> s = memory.subscribers(key, NOW)) {
            return s.map(Subscriber::connectionId).sorted().toList();
        }
    }

    @Test
    void connect_shouldRegisterTheConnection_expiringOneTtlAfterItConnected() {
        Connection c = memory.find("conn-1", NOW).orElseThrow();

        assertThat(c.principal()).isEqualTo(ALICE);
        assertThat(c.connectedAt()).isEqualTo(NOW.minusSeconds(5));
        assertThat(c.expiresAt()).isEqualTo(NOW.minusSeconds(5).plus(TTL));
    }

    @Test
    void handle_shouldAnswerPong_withTheIdAndTheClockTime() {
        JsonNode pong = send("conn-1", ALICE, "{\"action\":\"ping\",\"id\":\"p1\"}");

        assertThat(pong.get("type").asString()).isEqualTo("pong");
        assertThat(pong.get("id").asString()).isEqualTo("p1");
        assertThat(pong.get("time").asString()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(registry.writes.get()).isZero();
    }

    @Test
    void subscribe_shouldAckAndStoreTheTenantScopedSubscription_whenAllowed() {
        JsonNode ack = subscribe("inventory.warehouse.WH-1", "c1");

        assertThat(ack.get("type").asString()).isEqualTo("ack");
        assertThat(ack.get("id").asString()).isEqualTo("c1");
        assertThat(ack.get("action").asString()).isEqualTo("subscribe");
        assertThat(ack.get("channel").asString()).isEqualTo("inventory.warehouse.WH-1");
        assertThat(memory.channelsOf("conn-1", NOW)).containsExactly("acme/inventory.warehouse.WH-1");
        assertThat(subscribersOf("acme/inventory.warehouse.WH-1")).containsExactly("conn-1");
    }

    @Test
    void subscribe_shouldRefuseWithChannelForbidden_whenTheTokenDoesNotGrantTheChannel() {
        assertError(subscribe("inventory.warehouse.WH-2", "c2"), "CHANNEL_FORBIDDEN", "c2");
        assertError(subscribe("user.bob", "c3"), "CHANNEL_FORBIDDEN", "c3");
        assertError(subscribe("sales.invoices", "c4"), "CHANNEL_FORBIDDEN", "c4");
        assertThat(memory.channelsOf("conn-1", NOW)).isEmpty();
    }

    @Test
    void subscribe_shouldAllowTheUsersOwnChannelAndTheBroadcast() {
        assertThat(subscribe("user.alice", "c1").get("type").asString()).isEqualTo("ack");
        assertThat(subscribe("system.broadcast", "c2").get("type").asString()).isEqualTo("ack");
        assertThat(memory.channelsOf("conn-1", NOW))
                .containsExactlyInAnyOrder("acme/user.alice", "acme/system.broadcast");
    }

    @Test
    void subscribe_shouldRefuseWithInvalidChannelOrUnknownChannel_whenTheNameIsWrong() {
        assertError(subscribe("inventory..WH-1", "c1"), "INVALID_CHANNEL", "c1");
        assertError(subscribe("weather.today", "c2"), "UNKNOWN_CHANNEL", "c2");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-2\",\"id\":\"x\"}",
                "{\"action\":\"subscribe\",\"channel\":\"bad channel\",\"id\":\"x\"}",
                "{\"action\":\"subscribe\",\"channel\":\"no.such.family\",\"id\":\"x\"}",
                "{\"action\":\"subscribe\",\"id\":\"x\"}",
                "{\"action\":\"subscribe\",\"channel\":\"sales.orders\",\"tenant\":\"globex\"}",
                "{\"action\":\"unsubscribe\",\"channel\":\"bad channel\"}",
                "{\"action\":\"drop-table\"}",
                "not json",
            })
    void handle_shouldNotWriteToTheRegistry_whenTheCommandIsRefused(String body) {
        JsonNode reply = send("conn-1", ALICE, body);

        assertThat(reply.get("type").asString()).isEqualTo("error");
        assertThat(registry.writes.get()).as("registry writes").isZero();
    }

    @Test
    void subscribe_shouldRefuseWithSubscriptionLimit_whenTheConnectionHoldsTheMaximum() {
        service = new ConnectionService(registry, CATALOG, CLOCK, TTL, 2);
        assertThat(subscribe("inventory.warehouse.WH-1", "c1").get("type").asString())
                .isEqualTo("ack");
        assertThat(subscribe("user.alice", "c2").get("type").asString()).isEqualTo("ack");
        registry.writes.set(0);

        assertError(subscribe("sales.orders", "c3"), "SUBSCRIPTION_LIMIT", "c3");
        assertThat(registry.writes.get()).isZero();
        // re-subscribing a channel it holds is not a new subscription: still acked at the limit
        assertThat(subscribe("user.alice", "c4").get("type").asString()).isEqualTo("ack");
        // after leaving one, there is room again
        send("conn-1", ALICE, "{\"action\":\"unsubscribe\",\"channel\":\"user.alice\"}");
        assertThat(subscribe("sales.orders", "c5").get("type").asString()).isEqualTo("ack");
        assertThat(memory.channelsOf("conn-1", NOW))
                .containsExactlyInAnyOrder("acme/inventory.warehouse.WH-1", "acme/sales.orders");
    }

    @Test
    void subscribe_shouldAckTwice_andKeepOneSubscription_whenSubscribingTwice() {
        assertThat(subscribe("sales.orders", "c1").get("type").asString()).isEqualTo("ack");
        assertThat(subscribe("sales.orders", "c2").get("type").asString()).isEqualTo("ack");

        assertThat(memory.channelsOf("conn-1", NOW)).containsExactly("acme/sales.orders");
        assertThat(subscribersOf("acme/sales.orders")).containsExactly("conn-1");
    }

    @Test
    void unsubscribe_shouldAck_evenWhenNotSubscribed() {
        JsonNode ack =
                send("conn-1", ALICE, "{\"action\":\"unsubscribe\",\"channel\":\"production.kpi\",\"id\":\"u1\"}");

        assertThat(ack.get("type").asString()).isEqualTo("ack");
        assertThat(ack.get("action").asString()).isEqualTo("unsubscribe");
        assertThat(ack.get("id").asString()).isEqualTo("u1");
    }

    @Test
    void unsubscribe_shouldRemoveTheSubscription() {
        subscribe("sales.orders", "c1");

        send("conn-1", ALICE, "{\"action\":\"unsubscribe\",\"channel\":\"sales.orders\",\"id\":\"u1\"}");

        assertThat(memory.channelsOf("conn-1", NOW)).isEmpty();
        assertThat(subscribersOf("acme/sales.orders")).isEmpty();
    }

    @Test
    void subscribe_shouldRefuseWithNotConnected_whenTheRegistryNoLongerKnowsTheConnection() {
        memory.remove("conn-1");

        assertError(subscribe("sales.orders", "c1"), "NOT_CONNECTED", "c1");
        assertThat(memory.channelSizes()).isEmpty();
    }

    @Test
    void subscribe_shouldRefuseWithNotConnected_whenTheConnectionHasExpired() {
        Clock later = Clock.fixed(NOW.plus(TTL), ZoneOffset.UTC);
        ConnectionService afterTtl = new ConnectionService(registry, CATALOG, later, TTL, 100);

        JsonNode reply = reply(afterTtl.handle(
                "conn-1", ALICE, "{\"action\":\"subscribe\",\"channel\":\"sales.orders\",\"id\":\"c1\"}"));

        assertError(reply, "NOT_CONNECTED", "c1");
    }

    @Test
    void handle_shouldRefuseWithNotConnected_whenTheRouteCarriesNoAuthorizerContext() {
        assertError(send("conn-1", null, "{\"action\":\"ping\",\"id\":\"p1\"}"), "NOT_CONNECTED", null);
    }

    @Test
    void handle_shouldAnswerRegistryUnavailable_whenTheRegistryIsDown_andStillAnswerPings() {
        // Simulates a DynamoDB outage (throttling, network, 5xx after the SDK's retries), which the
        // in-memory registry cannot produce: the DynamoDB registry surfaces it as RegistryUnavailableException.
        ConnectionService down = new ConnectionService(new UnavailableRegistry(), CATALOG, CLOCK, TTL, 100);

        assertError(
                reply(down.handle(
                        "conn-1", ALICE, "{\"action\":\"subscribe\",\"channel\":\"sales.orders\",\"id\":\"c1\"}")),
                "REGISTRY_UNAVAILABLE",
                "c1");
        assertError(
                reply(down.handle(
                        "conn-1", ALICE, "{\"action\":\"unsubscribe\",\"channel\":\"sales.orders\",\"id\":\"c2\"}")),
                "REGISTRY_UNAVAILABLE",
                "c2");
        assertThat(reply(down.handle("conn-1", ALICE, "{\"action\":\"ping\"}"))
                        .get("type")
                        .asString())
                .isEqualTo("pong");
        assertThatThrownBy(() -> down.connect("conn-2", ALICE, NOW)).isInstanceOf(RegistryUnavailableException.class);
    }

    @Test
    void handle_shouldAnswerInternalError_withoutDetails_whenSomethingUnexpectedFails() {
        ConnectionService broken = new ConnectionService(
                new CountingRegistry(memory) {
                    @Override
                    public boolean subscribe(String connectionId, String channelKey, Instant now) {
                        throw new IllegalStateException("secret internals");
                    }
                },
                CATALOG,
                CLOCK,
                TTL,
                100);

        JsonNode reply = reply(broken.handle(
                "conn-1", ALICE, "{\"action\":\"subscribe\",\"channel\":\"sales.orders\",\"id\":\"c1\"}"));

        assertError(reply, "INTERNAL_ERROR", "c1");
        assertThat(reply.get("message").asString()).doesNotContain("secret");
    }

    @Test
    void subscribe_shouldKeepTenantsApart_whenTwoTenantsUseTheSameChannelName() {
        service.connect("conn-2", GLOBEX_BOB, NOW);
        subscribe("inventory.warehouse.WH-1", "c1");
        send("conn-2", GLOBEX_BOB, "{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-1\"}");

        assertThat(subscribersOf("acme/inventory.warehouse.WH-1")).containsExactly("conn-1");
        assertThat(subscribersOf("globex/inventory.warehouse.WH-1")).containsExactly("conn-2");

        // leaving in one tenant leaves the other's subscription alone
        send("conn-2", GLOBEX_BOB, "{\"action\":\"unsubscribe\",\"channel\":\"inventory.warehouse.WH-1\"}");
        assertThat(subscribersOf("acme/inventory.warehouse.WH-1")).containsExactly("conn-1");
        assertThat(subscribersOf("globex/inventory.warehouse.WH-1")).isEmpty();
    }

    @Test
    void disconnect_shouldRemoveTheConnectionAndItsSubscriptions_andBeIdempotent() {
        subscribe("sales.orders", "c1");
        subscribe("inventory.warehouse.WH-1", "c2");

        service.disconnect("conn-1", 1001, "Going away");
        service.disconnect("conn-1", 1001, "Going away");
        service.disconnect("never-connected", null, null);

        assertThat(memory.find("conn-1", NOW)).isEmpty();
        assertThat(memory.size()).isZero();
        assertThat(memory.channelSizes()).isEmpty();
    }

    /** The in-memory registry, counting every write, so a test can prove a refused command wrote nothing. */
    static class CountingRegistry extends ForwardingConnectionRegistry {
        final AtomicInteger writes = new AtomicInteger();

        CountingRegistry(ConnectionRegistry delegate) {
            super(delegate);
        }

        @Override
        public void register(Connection connection) {
            writes.incrementAndGet();
            super.register(connection);
        }

        @Override
        public boolean subscribe(String connectionId, String channelKey, Instant now) {
            writes.incrementAndGet();
            return super.subscribe(connectionId, channelKey, now);
        }

        @Override
        public boolean unsubscribe(String connectionId, String channelKey) {
            writes.incrementAndGet();
            return super.unsubscribe(connectionId, channelKey);
        }

        @Override
        public void remove(String connectionId) {
            writes.incrementAndGet();
            super.remove(connectionId);
        }
    }

    static final class UnavailableRegistry implements ConnectionRegistry {
        private static RegistryUnavailableException down() {
            return new RegistryUnavailableException(
                    "DynamoDB unreachable after retries", new java.net.ConnectException("Connection refused"));
        }

        @Override
        public void register(Connection connection) {
            throw down();
        }

        @Override
        public Optional<Connection> find(String connectionId, Instant now) {
            throw down();
        }

        @Override
        public boolean subscribe(String connectionId, String channelKey, Instant now) {
            throw down();
        }

        @Override
        public boolean unsubscribe(String connectionId, String channelKey) {
            throw down();
        }

        @Override
        public void remove(String connectionId) {
            throw down();
        }

        @Override
        public List<String> channelsOf(String connectionId, Instant now) {
            throw down();
        }

        @Override
        public Stream<Subscriber> subscribers(String channelKey, Instant now) {
            throw down();
        }

        @Override
        public List<Connection> connectionsOf(String tenant, String userId, Instant now) {
            throw down();
        }
    }
}
