package com.pyerp.realtime.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.auth.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link ConnectionRegistry} keeps, run against each implementation (in memory here, DynamoDB
 * in functions/lambda). Extend it, return a fresh empty registry from {@link #newRegistry()} and let
 * {@link #storedSubscriptions()} count what the store really holds, so orphans cannot hide behind read filters.
 *
 * <p>Instants are whole seconds: the DynamoDB registry keeps expiry to the second (TTL's unit).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ConnectionRegistryContract {
    protected static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    protected static final Instant CONNECTED = NOW.minusSeconds(5);
    protected static final Instant EXPIRES = NOW.plus(Duration.ofHours(2));
    protected static final String TENANT = "acme";
    protected static final String OTHER_TENANT = "globex";

    protected ConnectionRegistry registry;
    private ExecutorService pool;

    /** A fresh, empty registry for one test. A paged implementation should use small pages here (about 25 items). */
    protected abstract ConnectionRegistry newRegistry();

    /** The subscription records the store holds now, expired or not: a record nobody can reach is an orphan. */
    protected abstract long storedSubscriptions();

    /** Members of the channel in the paging test; with 25-item pages the default crosses 12 pages. */
    protected int pagingChannelMembers() {
        return 300;
    }

    /**
     * Rounds of the race tests. Each DynamoDB round is a few requests; the in-memory registry affords thousands,
     * which it needs to hit its much narrower race windows.
     */
    protected int raceRounds() {
        return 40;
    }

    @BeforeEach
    void createRegistry() {
        registry = newRegistry();
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS))
                .as("worker threads stopped")
                .isTrue();
    }

    // ---- helpers

    protected static Principal principal(String tenant, String user, String... roles) {
        return new Principal(user, tenant, Set.of(roles), Map.of());
    }

    protected static Connection connection(String id, Principal p) {
        return new Connection(id, p, CONNECTED, EXPIRES);
    }

    protected static String channel(String name) {
        return ChannelKey.of(TENANT, name);
    }

    protected Connection registered(String id) {
        Connection c = connection(id, principal(TENANT, "user-" + id, "inventory:read"));
        registry.register(c);
        return c;
    }

    private List<String> subscriberIds(String channelKey, Instant now) {
        try (Stream<Subscriber> s = registry.subscribers(channelKey, now)) {
            return s.map(Subscriber::connectionId).collect(Collectors.toList());
        }
    }

    /** Runs the tasks on the pool and waits; any exception fails the test with the first one. */
    private void runAll(List<Runnable> tasks) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        for (Runnable t : tasks) futures.add(pool.submit(t));
        for (Future<?> f : futures) f.get(90, TimeUnit.SECONDS);
    }

    // ---- connections

    @Test
    void register_thenFind_returnsTheConnectionWithItsPrincipal() {
        Principal p = new Principal(
                "u-1",
                TENANT,
                Set.of("inventory:read", "sales:read"),
                Map.of("warehouses", Set.of("WH-1", "WH-2"), "empty", Set.of()));
        Connection c = new Connection("conn-1", p, CONNECTED, EXPIRES);
        registry.register(c);

        assertThat(registry.find("conn-1", NOW)).contains(c);
    }

    @Test
    void register_withoutRolesOrScopes_roundTrips() {
        Connection c = connection("conn-1", principal(TENANT, "u-1"));
        registry.register(c);

        assertThat(registry.find("conn-1", NOW)).contains(c);
    }

    @Test
    void register_sameIdAgain_replacesTheConnection() {
        registry.register(connection("conn-1", principal(TENANT, "u-1")));
        Connection second = connection("conn-1", principal(TENANT, "u-2", "sales:read"));
        registry.register(second);

        assertThat(registry.find("conn-1", NOW)).contains(second);
        assertThat(registry.connectionsOf(TENANT, "u-1", NOW)).isEmpty();
        assertThat(registry.connectionsOf(TENANT, "u-2", NOW)).containsExactly(second);
    }

    @Test
    void find_unknownConnection_isEmpty() {
        assertThat(registry.find("never-registered", NOW)).isEmpty();
    }

    @Test
    void connectionsOf_returnsTheUsersLiveConnectionsOfThatTenantOnly() {
        Connection a = connection("a", principal(TENANT, "u-1"));
        Connection b = connection("b", principal(TENANT, "u-1", "sales:read"));
        Connection otherTenant = connection("c", principal(OTHER_TENANT, "u-1"));
        Connection otherUser = connection("d", principal(TENANT, "u-2"));
        Connection expired = new Connection("e", principal(TENANT, "u-1"), CONNECTED, NOW.plusSeconds(10));
        for (Connection c : List.of(a, b, otherTenant, otherUser, expired)) registry.register(c);

        assertThat(registry.connectionsOf(TENANT, "u-1", NOW.plusSeconds(10))).containsExactlyInAnyOrder(a, b);
        assertThat(registry.connectionsOf(TENANT, "u-1", NOW)).hasSize(3);
        assertThat(registry.connectionsOf(OTHER_TENANT, "u-1", NOW)).containsExactly(otherTenant);
        assertThat(registry.connectionsOf(TENANT, "nobody", NOW)).isEmpty();
    }

    // ---- subscribe / unsubscribe

    @Test
    void subscribe_twice_isNotAnErrorAndKeepsOneSubscription() {
        registered("conn-1");

        assertThat(registry.subscribe("conn-1", channel("inventory.sku.A1"), NOW))
                .isTrue();
        assertThat(registry.subscribe("conn-1", channel("inventory.sku.A1"), NOW))
                .isFalse();

        assertThat(registry.channelsOf("conn-1", NOW)).containsExactly(channel("inventory.sku.A1"));
        assertThat(subscriberIds(channel("inventory.sku.A1"), NOW)).containsExactly("conn-1");
        assertThat(storedSubscriptions()).isEqualTo(1);
    }

    @Test
    void subscribers_carryTheUserAndRolesOfTheConnection() {
        registry.register(connection("conn-1", principal(TENANT, "u-1", "inventory:read", "sales:read")));
        registry.register(connection("conn-2", principal(TENANT, "u-2")));
        registry.subscribe("conn-1", channel("sales.orders"), NOW);
        registry.subscribe("conn-2", channel("sales.orders"), NOW);

        try (Stream<Subscriber> s = registry.subscribers(channel("sales.orders"), NOW)) {
            assertThat(s.toList())
                    .containsExactlyInAnyOrder(
                            new Subscriber("conn-1", "u-1", Set.of("inventory:read", "sales:read")),
                            new Subscriber("conn-2", "u-2", Set.of()));
        }
    }

    @Test
    void subscribers_ofAChannel_doNotIncludeAnotherTenantsSubscribers() {
        registry.register(connection("conn-1", principal(TENANT, "u-1")));
        registry.register(connection("conn-2", principal(OTHER_TENANT, "u-1")));
        registry.subscribe("conn-1", ChannelKey.of(TENANT, "system.broadcast"), NOW);
        registry.subscribe("conn-2", ChannelKey.of(OTHER_TENANT, "system.broadcast"), NOW);

        assertThat(subscriberIds(ChannelKey.of(TENANT, "system.broadcast"), NOW))
                .containsExactly("conn-1");
        assertThat(subscriberIds(ChannelKey.of(OTHER_TENANT, "system.broadcast"), NOW))
                .containsExactly("conn-2");
    }

    @Test
    void subscribers_ofAnUnknownChannel_isEmpty() {
        assertThat(subscriberIds(channel("inventory.sku.NONE"), NOW)).isEmpty();
    }

    @Test
    void subscribe_unknownConnection_throwsGoneAndStoresNothing() {
        assertThatThrownBy(() -> registry.subscribe("never-registered", channel("sales.orders"), NOW))
                .isInstanceOf(ConnectionGoneException.class)
                .hasMessageContaining("never-registered");

        assertThat(storedSubscriptions()).isZero();
        assertThat(subscriberIds(channel("sales.orders"), NOW)).isEmpty();
    }

    @Test
    void subscribe_afterRemove_throwsGoneAndStoresNothing() {
        registered("conn-1");
        registry.remove("conn-1");

        assertThatThrownBy(() -> registry.subscribe("conn-1", channel("sales.orders"), NOW))
                .isInstanceOf(ConnectionGoneException.class);
        assertThat(storedSubscriptions()).isZero();
    }

    @Test
    void unsubscribe_ofUnknownConnectionOrChannel_isFalseAndNoError() {
        registered("conn-1");
        registry.subscribe("conn-1", channel("sales.orders"), NOW);

        assertThat(registry.unsubscribe("never-registered", channel("sales.orders")))
                .isFalse();
        assertThat(registry.unsubscribe("conn-1", channel("inventory.sku.NOT-SUBSCRIBED")))
                .isFalse();
        assertThat(registry.channelsOf("conn-1", NOW)).containsExactly(channel("sales.orders"));
    }

    @Test
    void unsubscribe_removesTheSubscriptionOnce() {
        registered("conn-1");
        registered("conn-2");
        registry.subscribe("conn-1", channel("sales.orders"), NOW);
        registry.subscribe("conn-2", channel("sales.orders"), NOW);

        assertThat(registry.unsubscribe("conn-1", channel("sales.orders"))).isTrue();
        assertThat(registry.unsubscribe("conn-1", channel("sales.orders"))).isFalse();

        assertThat(subscriberIds(channel("sales.orders"), NOW)).containsExactly("conn-2");
        assertThat(registry.channelsOf("conn-1", NOW)).isEmpty();
        assertThat(storedSubscriptions()).isEqualTo(1);
    }

    // ---- remove

    @Test
    void remove_cleansUpAThousandSubscriptions() throws Exception {
        registered("conn-big");
        registered("conn-other");
        List<String> keys = IntStream.range(0, 1000)
                .mapToObj(i -> channel("inventory.sku.SKU-" + i))
                .toList();
        List<Runnable> subscribes = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int slice = t;
            subscribes.add(() -> {
                for (int i = slice; i < keys.size(); i += 8) registry.subscribe("conn-big", keys.get(i), NOW);
            });
        }
        runAll(subscribes);
        registry.subscribe("conn-other", keys.get(0), NOW);
        assertThat(registry.channelsOf("conn-big", NOW)).hasSize(1000);
        assertThat(storedSubscriptions()).isEqualTo(1001);

        registry.remove("conn-big");

        assertThat(registry.find("conn-big", NOW)).isEmpty();
        assertThat(registry.channelsOf("conn-big", NOW)).isEmpty();
        assertThat(storedSubscriptions()).isEqualTo(1);
        assertThat(subscriberIds(keys.get(0), NOW)).containsExactly("conn-other");
        assertThat(subscriberIds(keys.get(999), NOW)).isEmpty();
    }

    @Test
    void remove_isIdempotent() {
        registered("conn-1");
        registry.subscribe("conn-1", channel("sales.orders"), NOW);

        registry.remove("conn-1");
        registry.remove("conn-1");
        registry.remove("never-registered");

        assertThat(registry.find("conn-1", NOW)).isEmpty();
        assertThat(storedSubscriptions()).isZero();
    }

    // ---- expiry

    @Test
    void expiredConnection_isFilteredFromEveryRead() {
        Instant expiry = NOW.plusSeconds(60);
        Connection c = new Connection("conn-1", principal(TENANT, "u-1"), CONNECTED, expiry);
        registry.register(c);
        registry.subscribe("conn-1", channel("sales.orders"), NOW);

        Instant before = expiry.minusSeconds(1);
        assertThat(registry.find("conn-1", before)).contains(c);
        assertThat(registry.channelsOf("conn-1", before)).containsExactly(channel("sales.orders"));
        assertThat(subscriberIds(channel("sales.orders"), before)).containsExactly("conn-1");
        assertThat(registry.connectionsOf(TENANT, "u-1", before)).containsExactly(c);

        // expired at expiresAt exactly (Connection.isExpired), though nothing was deleted
        assertThat(registry.find("conn-1", expiry)).isEmpty();
        assertThat(registry.channelsOf("conn-1", expiry)).isEmpty();
        assertThat(subscriberIds(channel("sales.orders"), expiry)).isEmpty();
        assertThat(registry.connectionsOf(TENANT, "u-1", expiry)).isEmpty();
    }

    @Test
    void subscribe_expiredConnection_throwsGoneAndStoresNothing() {
        registry.register(new Connection("conn-1", principal(TENANT, "u-1"), CONNECTED, NOW));

        assertThatThrownBy(() -> registry.subscribe("conn-1", channel("sales.orders"), NOW))
                .isInstanceOf(ConnectionGoneException.class);
        assertThat(storedSubscriptions()).isZero();
    }

    // ---- paging

    @Test
    void subscribers_streamEveryLiveMemberOnceAcrossManyPages() throws Exception {
        int members = pagingChannelMembers();
        String key = channel("inventory.warehouse.WH-1");
        Set<String> live = ConcurrentHashMap.newKeySet();
        List<Runnable> tasks = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int slice = t;
            tasks.add(() -> {
                for (int i = slice; i < members; i += 8) {
                    String id = String.format("m-%05d", i);
                    // a run of expired members wider than two pages, and every fifth one elsewhere
                    boolean expired = (i >= members / 3 && i < members / 3 + 60) || i % 5 == 0;
                    Instant expiry = expired ? NOW.plusSeconds(30) : EXPIRES;
                    registry.register(
                            new Connection(id, principal(TENANT, "u-" + i, "inventory:read"), CONNECTED, expiry));
                    registry.subscribe(id, key, NOW);
                    if (!expired) live.add(id);
                }
            });
        }
        runAll(tasks);
        Instant later = NOW.plusSeconds(60);

        List<String> seen = subscriberIds(key, later);

        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(live);
        assertThat(subscriberIds(key, NOW)).hasSize(members);
        try (Stream<Subscriber> s = registry.subscribers(key, later)) {
            assertThat(s.limit(3).count()).as("a stream read only in part").isEqualTo(3);
        }
    }

    // ---- races

    @Test
    void concurrentSubscribeAndRemove_leaveNoOrphanedSubscription() throws Exception {
        int connections = 24;
        int channelsEach = 12;
        List<String> keys = IntStream.range(0, channelsEach)
                .mapToObj(i -> channel("inventory.sku.R" + i))
                .toList();
        List<Runnable> tasks = new ArrayList<>();
        List<String> wrongs = Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < connections; c++) {
            String id = "race-" + c;
            registered(id);
            CountDownLatch go = new CountDownLatch(2);
            tasks.add(() -> {
                go.countDown();
                await(go);
                boolean gone = false;
                for (String key : keys) {
                    try {
                        registry.subscribe(id, key, NOW);
                        if (gone) wrongs.add(id + ": subscribe succeeded after ConnectionGoneException");
                    } catch (ConnectionGoneException e) {
                        gone = true;
                    }
                }
            });
            int delayMicros = ThreadLocalRandom.current().nextInt(0, 3000);
            tasks.add(() -> {
                go.countDown();
                await(go);
                sleepMicros(delayMicros);
                registry.remove(id);
            });
        }
        // pairs run side by side: the pool has 8 threads, and each pair's latch waits for both halves
        runAll(tasks);

        assertThat(wrongs).isEmpty();
        assertThat(storedSubscriptions())
                .as("subscription records left after every connection was removed")
                .isZero();
        for (String key : keys) assertThat(subscriberIds(key, NOW)).as(key).isEmpty();
        for (int c = 0; c < connections; c++)
            assertThat(registry.channelsOf("race-" + c, NOW)).isEmpty();
    }

    @Test
    void subscribeRacingRemoveAndReRegister_leavesNothingAfterTheFinalRemove() throws Exception {
        String key = channel("sales.orders");
        for (int round = 0; round < raceRounds(); round++) {
            String id = "rr-" + round;
            registered(id);
            CountDownLatch go = new CountDownLatch(2);
            runAll(List.of(
                    () -> {
                        go.countDown();
                        await(go);
                        for (int i = 0; i < 3; i++) {
                            try {
                                registry.subscribe(id, key, NOW);
                            } catch (ConnectionGoneException expected) {
                                // between remove and register
                            }
                        }
                    },
                    () -> {
                        go.countDown();
                        await(go);
                        registry.remove(id);
                        registered(id);
                    }));
            registry.remove(id);
        }
        assertThat(storedSubscriptions()).isZero();
        assertThat(subscriberIds(key, NOW)).isEmpty();
    }

    @Test
    void concurrentSubscribeAndUnsubscribeOnOneChannel_loseNoSubscriber() throws Exception {
        // two connections per channel, so the channel often empties while the other one subscribes
        int rounds = Math.max(4, raceRounds() / 10);
        for (int round = 0; round < rounds; round++) {
            String key = channel("inventory.sku.L" + round);
            String stable = "stable-" + round;
            String flapper = "flap-" + round;
            registered(stable);
            registered(flapper);
            CountDownLatch go = new CountDownLatch(2);
            int delayMicros = ThreadLocalRandom.current().nextInt(0, 200);
            runAll(List.of(
                    () -> {
                        go.countDown();
                        await(go);
                        for (int n = 0; n < 20; n++) {
                            registry.subscribe(flapper, key, NOW);
                            registry.unsubscribe(flapper, key);
                        }
                    },
                    () -> {
                        go.countDown();
                        await(go);
                        sleepMicros(delayMicros);
                        registry.subscribe(stable, key, NOW);
                    }));
            assertThat(subscriberIds(key, NOW)).as("round " + round).containsExactly(stable);
        }
        assertThat(storedSubscriptions()).isEqualTo(rounds);
    }

    // ---- bad input

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "acme",
                "acme/",
                "/sales.orders",
                "acme/sales..orders",
                "acme/sales orders",
                "acme/sales.orders.",
                "ac#me/sales.orders",
                "ac me/sales.orders",
                "acme/sales/orders",
                "acme/sales.örders"
            })
    void badChannelKey_isRefusedBeforeAnyWrite(String bad) {
        registered("conn-1");

        assertThatThrownBy(() -> registry.subscribe("conn-1", bad, NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channel key");
        assertThatThrownBy(() -> registry.unsubscribe("conn-1", bad)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.subscribers(bad, NOW)).isInstanceOf(IllegalArgumentException.class);
        assertThat(storedSubscriptions()).isZero();
    }

    @Test
    void overlongChannel_isRefused() {
        registered("conn-1");
        String longChannel = "inventory.sku." + "X".repeat(64) + "." + "Y".repeat(64) + "." + "Z".repeat(64);

        assertThatThrownBy(() -> registry.subscribe("conn-1", channel(longChannel), NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(storedSubscriptions()).isZero();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"has space", "tab\tid", "ünïcode"})
    void badConnectionId_isRefusedBeforeAnyWrite(String bad) {
        assertThatThrownBy(() -> registry.subscribe(bad, channel("sales.orders"), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connection id");
        assertThatThrownBy(() -> registry.find(bad, NOW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.unsubscribe(bad, channel("sales.orders")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.remove(bad)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.channelsOf(bad, NOW)).isInstanceOf(IllegalArgumentException.class);
        if (bad != null) {
            assertThatThrownBy(() -> registry.register(connection(bad, principal(TENANT, "u-1"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("connection id");
        }
        assertThat(storedSubscriptions()).isZero();
    }

    @Test
    void overlongConnectionId_isRefused() {
        String id = "c".repeat(129);
        assertThatThrownBy(() -> registry.register(connection(id, principal(TENANT, "u-1"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(registry.find("c".repeat(128), NOW)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "a#b", "a b", "x\n"})
    void badTenant_isRefusedBeforeAnyWrite(String tenant) {
        assertThatThrownBy(() -> registry.register(connection("conn-1", principal(tenant, "u-1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant");
        assertThatThrownBy(() -> registry.connectionsOf(tenant, "u-1", NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(registry.find("conn-1", NOW)).isEmpty();
    }

    @Test
    void badUserId_isRefusedBeforeAnyWrite() {
        assertThatThrownBy(() -> registry.register(connection("conn-1", principal(TENANT, ""))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user id");
        assertThatThrownBy(() -> registry.register(connection("conn-1", principal(TENANT, "u\u0000"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user id");
        assertThatThrownBy(() -> registry.connectionsOf(TENANT, null, NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(registry.find("conn-1", NOW)).isEmpty();
    }

    // ---- per-connection budgets (client publish rate limit, issue 12)

    @Test
    void tryAcquire_allowsTheLimitPerWindow_perConnectionAndBucket_thenAgainInTheNextWindow() {
        registered("budget-1");
        registered("budget-2");
        Duration second = Duration.ofSeconds(1);
        for (int i = 0; i < 3; i++)
            assertThat(registry.tryAcquire("budget-1", "pub:a", 3, second, NOW)).isTrue();
        assertThat(registry.tryAcquire("budget-1", "pub:a", 3, second, NOW)).isFalse();
        assertThat(registry.tryAcquire("budget-1", "pub:b", 3, second, NOW))
                .as("another bucket")
                .isTrue();
        assertThat(registry.tryAcquire("budget-2", "pub:a", 3, second, NOW))
                .as("another connection")
                .isTrue();
        assertThat(registry.tryAcquire("budget-1", "pub:a", 3, second, NOW.plusSeconds(1)))
                .as("the next window")
                .isTrue();
        // the connection's ordinary reads are unaffected by the budget attributes
        assertThat(registry.find("budget-1", NOW)).isPresent();
        assertThat(registry.connectionsOf(TENANT, "user-budget-1", NOW)).hasSize(1);
    }

    @Test
    void tryAcquire_refusesAnUnknownOrRemovedConnection() {
        assertThat(registry.tryAcquire("never-registered", "pub:a", 5, Duration.ofSeconds(1), NOW))
                .isFalse();
        registered("budget-gone");
        registry.remove("budget-gone");
        assertThat(registry.tryAcquire("budget-gone", "pub:a", 5, Duration.ofSeconds(1), NOW))
                .isFalse();
    }

    @Test
    void tryAcquire_neverExceedsTheLimit_underConcurrentUse() throws Exception {
        registered("budget-race");
        java.util.concurrent.atomic.AtomicInteger granted = new java.util.concurrent.atomic.AtomicInteger();
        List<Runnable> tasks = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            tasks.add(() -> {
                for (int i = 0; i < 10; i++)
                    if (registry.tryAcquire("budget-race", "pub:x", 7, Duration.ofSeconds(1), NOW))
                        granted.incrementAndGet();
            });
        }
        runAll(tasks);
        assertThat(granted.get()).isEqualTo(7);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("partner task did not start");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleepMicros(int micros) {
        long until = System.nanoTime() + micros * 1000L;
        while (System.nanoTime() < until) Thread.onSpinWait();
    }

    // ---- session lifetime (issue 10)

    @Test
    void tokenExpiry_shouldRoundTrip_andExtendSessionShouldReplaceIt_andExpiredSessionsShouldFindOnlyExpiredOnes() {
        Instant soon = NOW.plusSeconds(60);
        registry.register(new Connection("s-1", principal(TENANT, "alice"), CONNECTED, EXPIRES, soon));
        registry.register(new Connection("s-2", principal(TENANT, "bob"), CONNECTED, EXPIRES, NOW.plusSeconds(3600)));
        registered("s-3"); // no token expiry known: never swept

        assertThat(registry.find("s-1", NOW).orElseThrow().tokenExpiresAt()).isEqualTo(soon);
        assertThat(registry.expiredSessions(NOW, NOW)).isEmpty();
        assertThat(registry.expiredSessions(NOW.plusSeconds(120), NOW))
                .extracting(Connection::connectionId)
                .containsExactly("s-1");

        registry.extendSession("s-1", NOW.plusSeconds(7200), NOW);
        assertThat(registry.find("s-1", NOW).orElseThrow().tokenExpiresAt()).isEqualTo(NOW.plusSeconds(7200));
        assertThat(registry.expiredSessions(NOW.plusSeconds(120), NOW)).isEmpty();
    }

    @Test
    void extendSession_onAnUnknownOrRemovedConnection_shouldThrowGone_andCreateNothing() {
        assertThatThrownBy(() -> registry.extendSession("ghost", NOW.plusSeconds(60), NOW))
                .isInstanceOf(ConnectionGoneException.class);
        registered("s-4");
        registry.remove("s-4");
        assertThatThrownBy(() -> registry.extendSession("s-4", NOW.plusSeconds(60), NOW))
                .isInstanceOf(ConnectionGoneException.class);
        assertThat(registry.find("s-4", NOW)).isEmpty();
        assertThat(registry.find("ghost", NOW)).isEmpty();
    }
}
