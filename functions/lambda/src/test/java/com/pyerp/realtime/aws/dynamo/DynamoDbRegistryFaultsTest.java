package com.pyerp.realtime.aws.dynamo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.registry.ChannelKey;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import com.pyerp.realtime.core.registry.Subscriber;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Faults dynalite cannot produce by itself: an endpoint that is down or silent, a missing table, throttling,
 * UnprocessedItems, a failure in the middle of a channel stream. The client is the production one
 * ({@link DynamoDbClients}), pointed at a {@link FaultProxy} in front of dynalite.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DynamoDbRegistryFaultsTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static Dynalite dynalite;
    private static DynamoDbClient direct;

    private FaultProxy proxy;
    private DynamoDbClient viaProxy;
    private String connections;
    private String subscriptions;

    @BeforeAll
    static void startDynalite() {
        dynalite = Dynalite.start();
        direct = dynalite.client();
    }

    @AfterAll
    static void stopDynalite() {
        if (direct != null) direct.close();
        if (dynalite != null) dynalite.close();
    }

    @BeforeEach
    void tablesAndProxy() throws IOException {
        dynalite.requireAlive();
        int n = TABLES.incrementAndGet();
        connections = "f-connections-" + n;
        subscriptions = "f-subscriptions-" + n;
        RegistryTableSetup.createIfMissing(direct, connections, subscriptions);
        proxy = new FaultProxy(dynalite.endpoint());
        viaProxy = client(proxy.endpoint(), DynamoDbClients.Settings.defaults());
    }

    @AfterEach
    void closeProxy() {
        viaProxy.close();
        proxy.close();
    }

    private static DynamoDbClient client(URI endpoint, DynamoDbClients.Settings settings) {
        return DynamoDbClients.create(
                "eu-central-1",
                Optional.of(endpoint),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")),
                settings);
    }

    private DynamoDbConnectionRegistry registry(DynamoDbClient client) {
        return DynamoDbConnectionRegistry.builder()
                .client(client)
                .connectionsTable(connections)
                .subscriptionsTable(subscriptions)
                .pageSize(25)
                .batchRetry(4, Duration.ofMillis(5), Duration.ofMillis(20))
                .build();
    }

    private static Connection connection(String id) {
        return new Connection(
                id, new Principal("u-" + id, "acme", Set.of("inventory:read"), Map.of()), NOW, NOW.plusSeconds(7200));
    }

    private static RealtimeEnv env(URI dynamoEndpoint) {
        return RealtimeEnv.builder()
                .connectionsTable("env-connections")
                .subscriptionsTable("env-subscriptions")
                .jwtIssuer("https://issuer.test")
                .jwtAudience("pyerp")
                .jwksUrl("https://issuer.test/jwks.json")
                .managementEndpoint("http://127.0.0.1:1/local")
                .dynamoDbEndpoint(dynamoEndpoint.toString())
                .region("eu-central-1")
                .build();
    }

    private static int freePortNobodyListensOn() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Setup straight to dynalite, not through the proxy. */
    private void subscribeMany(String key, int members) {
        DynamoDbConnectionRegistry setup = registry(direct);
        for (int i = 0; i < members; i++) {
            setup.register(connection(String.format("c-%03d", i)));
            setup.subscribe(String.format("c-%03d", i), key, NOW);
        }
    }

    private void subscribeOneToMany(String id, int channels) {
        DynamoDbConnectionRegistry setup = registry(direct);
        setup.register(connection(id));
        for (int i = 0; i < channels; i++) setup.subscribe(id, ChannelKey.of("acme", "inventory.sku.S" + i), NOW);
    }

    // ---- endpoint faults

    @Test
    void endpointDown_givesRegistryUnavailableQuickly() throws IOException {
        URI down = URI.create("http://127.0.0.1:" + freePortNobodyListensOn());
        DynamoDbConnectionRegistry registry = DynamoDbConnectionRegistry.fromEnv(env(down));
        try {
            // production settings: a refused connection is retried 5 times with 25 ms backoff, then gives up
            RegistryUnavailableException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> assertThrows(RegistryUnavailableException.class, () -> registry.register(connection("c-1"))));
            assertThat(e)
                    .hasMessageContaining("DynamoDB at " + down)
                    .hasMessageContaining("unreachable")
                    .hasMessageContaining("PutItem on table 'env-connections'");
        } finally {
            registry.close();
        }
    }

    @Test
    void silentEndpoint_timesOutIntoRegistryUnavailable() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = silent.accept(); // accept and never answer
                        synchronized (accepted) {
                            accepted.add(s);
                        }
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            var settings = new DynamoDbClients.Settings(
                    Duration.ofMillis(500),
                    Duration.ofMillis(300),
                    Duration.ofMillis(400),
                    Duration.ofSeconds(2),
                    3,
                    Duration.ofMillis(10),
                    Duration.ofMillis(10),
                    Duration.ofMillis(50));
            try (DynamoDbClient c = client(URI.create("http://127.0.0.1:" + silent.getLocalPort()), settings)) {
                DynamoDbConnectionRegistry registry = registry(c);

                RegistryUnavailableException e = assertTimeoutPreemptively(
                        Duration.ofSeconds(10),
                        () -> assertThrows(RegistryUnavailableException.class, () -> registry.find("c-1", NOW)));
                assertThat(e.getMessage())
                        .contains("GetItem on table '" + connections + "'")
                        .containsAnyOf("did not answer", "unreachable");
            }
        } finally {
            synchronized (accepted) {
                for (Socket s : accepted) s.close();
            }
        }
    }

    @Test
    void missingTable_saysWhichAndHowToCreateIt() {
        DynamoDbConnectionRegistry registry = DynamoDbConnectionRegistry.builder()
                .client(direct)
                .connectionsTable("no-such-connections")
                .subscriptionsTable("no-such-subscriptions")
                .build();

        assertThatThrownBy(() -> registry.register(connection("c-1")))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("table 'no-such-connections' does not exist")
                .hasMessageContaining("RegistryTableSetup.createIfMissing");
        assertThatThrownBy(() -> registry.subscribers(ChannelKey.of("acme", "sales.orders"), NOW)
                        .count())
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("no-such-subscriptions");
    }

    // ---- throttling

    @Test
    void throttling_isRetriedWithBackoffUntilItGetsThrough() {
        DynamoDbConnectionRegistry registry = registry(viaProxy);
        proxy.fault((op, n) ->
                op.equals("PutItem") && n <= 2 ? Optional.of(FaultProxy.Error.throughputExceeded()) : Optional.empty());

        registry.register(connection("c-1"));

        assertThat(proxy.count("PutItem")).isEqualTo(3);
        assertThat(registry.find("c-1", NOW)).isPresent();

        proxy.fault((op, n) ->
                op.equals("Query") && n <= 3 ? Optional.of(FaultProxy.Error.throttling()) : Optional.empty());
        assertThat(registry.connectionsOf("acme", "u-c-1", NOW)).hasSize(1);
        assertThat(proxy.count("Query")).isEqualTo(4);
    }

    @Test
    void throttlingThatDoesNotStop_givesRegistryUnavailableAfterTheLastAttempt() {
        DynamoDbConnectionRegistry registry = registry(viaProxy);
        proxy.fault((op, n) -> Optional.of(FaultProxy.Error.throughputExceeded()));

        assertThatThrownBy(() -> registry.register(connection("c-1")))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("throttled PutItem on table '" + connections + "'")
                .hasMessageContaining("ProvisionedThroughputExceededException");
        assertThat(proxy.count("PutItem"))
                .isEqualTo(DynamoDbClients.Settings.defaults().maxAttempts());
    }

    // ---- UnprocessedItems

    @Test
    void remove_retriesUnprocessedItemsUntilEverySubscriptionIsGone() {
        DynamoDbConnectionRegistry registry = registry(viaProxy);
        subscribeOneToMany("c-1", 60);
        proxy.batchWriteKeep(7); // DynamoDB processes 7 deletes of each batch, returns the rest as unprocessed

        registry.remove("c-1");

        assertThat(registry.channelsOf("c-1", NOW)).isEmpty();
        assertThat(registry.find("c-1", NOW)).isEmpty();
        // 60 deletes in batches of 25, 25, 10: each needs ceil(size / 7) calls = 4 + 4 + 2
        assertThat(proxy.count("BatchWriteItem")).isEqualTo(10);
    }

    @Test
    void unprocessedItemsThatNeverClear_giveRegistryUnavailable_andALaterRemoveFinishesTheJob() {
        DynamoDbConnectionRegistry registry = registry(viaProxy);
        subscribeOneToMany("c-1", 30);
        proxy.fault((op, n) ->
                op.equals("BatchWriteItem") && n > 1 ? Optional.of(FaultProxy.Error.internal()) : Optional.empty());
        proxy.batchWriteKeep(5);

        assertThatThrownBy(() -> registry.remove("c-1"))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("BatchWriteItem on table '" + subscriptions + "'");

        proxy.fault((op, n) -> Optional.empty());
        proxy.batchWriteKeep(0);
        registry.remove("c-1");
        assertThat(registry.channelsOf("c-1", NOW)).isEmpty();
    }

    @Test
    void unprocessedItemsBeyondTheAttemptLimit_sayWhatIsLeft() {
        DynamoDbConnectionRegistry registry = registry(viaProxy);
        subscribeOneToMany("c-1", 25);
        proxy.batchWriteKeep(1); // 25 deletes, one per attempt; the registry allows 4 attempts

        assertThatThrownBy(() -> registry.remove("c-1"))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("left 21 of 25 subscription deletes unprocessed")
                .hasMessageContaining("after 4 BatchWriteItem attempts");
        assertThat(registry.channelsOf("c-1", NOW)).hasSize(21);
    }

    // ---- streaming

    @Test
    void subscribers_fetchPagesOnlyAsTheStreamNeedsThem() {
        DynamoDbConnectionRegistry registry = registry(viaProxy);
        String key = ChannelKey.of("acme", "sales.orders");
        subscribeMany(key, 100);
        proxy.resetCounts();

        try (Stream<Subscriber> s = registry.subscribers(key, NOW)) {
            assertThat(proxy.count("Query"))
                    .as("nothing fetched before the stream is read")
                    .isZero();
            assertThat(s.limit(10).count()).isEqualTo(10);
        }
        assertThat(proxy.count("Query")).isEqualTo(1);

        proxy.resetCounts();
        try (Stream<Subscriber> s = registry.subscribers(key, NOW)) {
            assertThat(s.count()).isEqualTo(100);
        }
        // 4 full pages of 25, and the empty page that proves the 4th was the last
        assertThat(proxy.count("Query")).isEqualTo(5);
    }

    @Test
    void failureInTheMiddleOfAStream_surfacesAsRegistryUnavailable() {
        DynamoDbConnectionRegistry registry = registry(viaProxy);
        String key = ChannelKey.of("acme", "sales.orders");
        subscribeMany(key, 60);
        proxy.resetCounts();
        proxy.fault(
                (op, n) -> op.equals("Query") && n >= 2 ? Optional.of(FaultProxy.Error.internal()) : Optional.empty());

        List<String> seen = new ArrayList<>();
        try (Stream<Subscriber> s = registry.subscribers(key, NOW)) {
            assertThatThrownBy(() -> s.forEach(sub -> seen.add(sub.connectionId())))
                    .isInstanceOf(RegistryUnavailableException.class)
                    .hasMessageContaining("Query on table '" + subscriptions + "'")
                    .hasMessageContaining("InternalFailure");
        }
        assertThat(seen).hasSize(25);
    }

    // ---- factory

    @Test
    void fromEnv_worksAgainstDynaliteWithDummyCredentials() {
        RealtimeEnv env = env(dynalite.endpoint());
        try (DynamoDbClient c = DynamoDbClients.fromEnv(env)) {
            RegistryTableSetup.createIfMissing(c, env.connectionsTable(), env.subscriptionsTable());
        }
        DynamoDbConnectionRegistry registry = DynamoDbConnectionRegistry.fromEnv(env);
        try {
            registry.register(connection("env-1"));
            assertThat(registry.subscribe("env-1", ChannelKey.of("acme", "sales.orders"), NOW))
                    .isTrue();
            assertThat(registry.client().serviceClientConfiguration().endpointOverride())
                    .contains(dynalite.endpoint());
            assertThat(registry.client().serviceClientConfiguration().region().id())
                    .isEqualTo("eu-central-1");
        } finally {
            registry.close();
        }
    }

    @Test
    void builder_namesEveryMissingOrInvalidSetting() {
        assertThatThrownBy(() -> DynamoDbConnectionRegistry.builder()
                        .connectionsTable("x")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client is not set")
                .hasMessageContaining("connectionsTable: 'x' is not a valid DynamoDB table name")
                .hasMessageContaining("subscriptionsTable is not set");
        assertThatThrownBy(() -> DynamoDbConnectionRegistry.builder()
                        .client(direct)
                        .connectionsTable("same")
                        .subscriptionsTable("same")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> DynamoDbConnectionRegistry.builder().pageSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pageSize");
    }
}
