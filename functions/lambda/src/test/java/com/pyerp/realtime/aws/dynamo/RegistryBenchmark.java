package com.pyerp.realtime.aws.dynamo;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.registry.ChannelKey;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.Subscriber;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The DynamoDB registry's benchmark against dynalite (not a test: it prints figures). Run from the repository root:
 * <pre>
 * mvn -q -B -o -pl functions/lambda test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=com.pyerp.realtime.aws.dynamo.RegistryBenchmark [-Dexec.args="--threads 8 --channel 10000"]
 * </pre>
 * {@code --endpoint http://host:port} measures another DynamoDB API (LocalStack, a real table: not free!) instead
 * of a dynalite it starts itself. Prints subscribe and disconnect rates, the time to stream a 10,000-member channel,
 * and the read units a 1,000-member broadcast costs with the registry's real items.
 */
public final class RegistryBenchmark {
    private static final Instant NOW = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    public static void main(String[] args) throws Exception {
        int threads = intArg(args, "--threads", 8);
        int channelMembers = intArg(args, "--channel", 10_000);
        int subsPerConnection = intArg(args, "--subs", 10);
        String endpointArg = stringArg(args, "--endpoint", null);

        Dynalite dynalite = endpointArg == null ? Dynalite.start() : null;
        URI endpoint = dynalite != null ? dynalite.endpoint() : URI.create(endpointArg);
        try (DynamoDbClient client = DynamoDbClients.create(
                "eu-central-1",
                Optional.of(endpoint),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")),
                DynamoDbClients.Settings.defaults())) {
            String suffix = Long.toString(System.currentTimeMillis(), 36);
            String connections = "bench-connections-" + suffix;
            String subscriptions = "bench-subscriptions-" + suffix;
            RegistryTableSetup.Outcome outcome = RegistryTableSetup.createIfMissing(client, connections, subscriptions);
            DynamoDbConnectionRegistry registry = DynamoDbConnectionRegistry.builder()
                    .client(client)
                    .connectionsTable(connections)
                    .subscriptionsTable(subscriptions)
                    .build();

            System.out.printf(
                    "DynamoDB registry benchmark: endpoint %s (%s), %d client threads, %d CPUs, java %s%n",
                    endpoint,
                    dynalite != null ? "dynalite 4.0.0 in memory, started here" : "given",
                    threads,
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            System.out.println(outcome);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                // warm-up: JIT, HTTP connections
                runParallel(pool, threads, 200, i -> {
                    String id = "warm-" + i;
                    registry.register(connection(id));
                    registry.subscribe(id, ChannelKey.of("acme", "system.broadcast"), NOW);
                    registry.remove(id);
                });

                // register + subscribe
                int conns = 500;
                runParallel(pool, threads, conns, i -> registry.register(connection("s-" + i)));
                long t0 = System.nanoTime();
                runParallel(
                        pool,
                        threads,
                        conns * subsPerConnection,
                        i -> registry.subscribe(
                                "s-" + (i % conns), ChannelKey.of("acme", "inventory.sku.B" + (i / conns)), NOW));
                double subSeconds = seconds(t0);
                int subscribes = conns * subsPerConnection;
                System.out.printf(
                        "subscribe:  %,d ops in %.2f s = %,.0f ops/s (each: 2 consistent GetItem + 1 PutItem)%n",
                        subscribes, subSeconds, subscribes / subSeconds);

                // disconnect = remove(): DeleteItem + Query + BatchWriteItem
                t0 = System.nanoTime();
                runParallel(pool, threads, conns, i -> registry.remove("s-" + i));
                double remSeconds = seconds(t0);
                System.out.printf(
                        "disconnect: %,d ops in %.2f s = %,.0f ops/s (each with %d subscriptions: DeleteItem + Query + BatchWriteItem)%n",
                        conns, remSeconds, conns / remSeconds, subsPerConnection);

                // stream a big channel
                String big = ChannelKey.of("acme", "inventory.warehouse.WH-1");
                long f0 = System.nanoTime();
                runParallel(pool, threads, channelMembers, i -> {
                    String id = String.format("m-%06d", i);
                    registry.register(connection(id));
                    registry.subscribe(id, big, NOW);
                });
                System.out.printf("filled a %,d-member channel in %.1f s%n", channelMembers, seconds(f0));
                for (int round = 1; round <= 3; round++) {
                    long s0 = System.nanoTime();
                    long n;
                    try (Stream<Subscriber> s = registry.subscribers(big, NOW)) {
                        n = s.count();
                    }
                    System.out.printf(
                            "stream %,d-member channel (round %d): %,d subscribers in %.0f ms%n",
                            channelMembers, round, n, seconds(s0) * 1000);
                }

                // read units of a 1,000-member broadcast with the real index items
                readUnits(client, subscriptions, registry, pool, threads);
            } finally {
                pool.shutdownNow();
                for (String table : List.of(connections, subscriptions)) {
                    try {
                        client.deleteTable(d -> d.tableName(table));
                    } catch (RuntimeException e) {
                        System.out.println("could not delete benchmark table " + table + ": " + e.getMessage());
                    }
                }
            }
        } finally {
            if (dynalite != null) dynalite.close();
        }
    }

    private static void readUnits(
            DynamoDbClient client,
            String subscriptions,
            DynamoDbConnectionRegistry registry,
            ExecutorService pool,
            int threads)
            throws Exception {
        String key = ChannelKey.of("acme", "inventory.warehouse.WH-2");
        Connection sample = new Connection(
                "Ab3dEfGhIjK0001=",
                new Principal(
                        "3f2b6c1e-8d4a-4e1b-9c7f-000000000001",
                        "acme",
                        Set.of("inventory:read", "sales:read"),
                        Map.of("warehouses", Set.of("WH-1", "WH-2"))),
                NOW,
                NOW.plusSeconds(7500));
        System.out.printf(
                "item sizes: connection %d bytes, subscription %d bytes (sample user with 2 roles and 2 warehouses)%n",
                ItemSizes.itemBytes(RegistryItems.connectionItem(sample)),
                ItemSizes.itemBytes(RegistryItems.subscriptionItem(
                        sample.connectionId(),
                        key,
                        sample.principal().userId(),
                        sample.principal().roles(),
                        RegistryItems.expirySeconds(sample.expiresAt()))));
        runParallel(pool, threads, 1000, i -> {
            // an API Gateway connection id is 16 characters; user ids here are UUID-sized
            String id = String.format("Ab3dEfGhIjK%04d=", i);
            registry.register(new Connection(
                    id,
                    new Principal(
                            String.format("3f2b6c1e-8d4a-4e1b-9c7f-%012d", i),
                            "acme",
                            Set.of("inventory:read", "sales:read"),
                            Map.of("warehouses", Set.of("WH-1", "WH-2"))),
                    NOW,
                    NOW.plusSeconds(7500)));
            registry.subscribe(id, key, NOW);
        });
        long bytes = 0;
        int items = 0;
        int pages = 0;
        double units = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = client.query(q -> q.tableName(subscriptions)
                    .indexName("byChannel")
                    .keyConditionExpression("channelKey = :ck")
                    .expressionAttributeValues(Map.of(":ck", AttributeValue.fromS(key)))
                    .exclusiveStartKey(from));
            long pageBytes =
                    page.items().stream().mapToLong(ItemSizes::itemBytes).sum();
            bytes += pageBytes;
            items += page.count();
            pages++;
            units += ItemSizes.queryReadUnits(pageBytes, false);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        System.out.printf(
                "read units per broadcast to a 1,000-member channel: %d index items of %d bytes on average (%,d bytes),"
                        + " %d page(s), %.1f RCU (eventually consistent, 4 KB blocks); %.0f RCU per 100,000 broadcasts%n",
                items, bytes / Math.max(1, items), bytes, pages, units, units * 100_000);
        System.out.printf(
                "  a page of DynamoDB's 1 MB then holds about %,d subscribers%n",
                1_048_576 / Math.max(1, bytes / Math.max(1, items)));
    }

    private static Connection connection(String id) {
        return new Connection(
                id,
                new Principal("user-" + id, "acme", Set.of("inventory:read"), Map.of()),
                NOW,
                NOW.plusSeconds(7500));
    }

    interface Op {
        void run(int i) throws Exception;
    }

    private static void runParallel(ExecutorService pool, int threads, int total, Op op) throws Exception {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int slice = t;
            fs.add(pool.submit(() -> {
                for (int i = slice; i < total; i += threads) op.run(i);
                return null;
            }));
        }
        for (Future<?> f : fs) f.get(30, TimeUnit.MINUTES);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static int intArg(String[] args, String name, int dflt) {
        String v = stringArg(args, name, null);
        return v == null ? dflt : Integer.parseInt(v);
    }

    private static String stringArg(String[] args, String name, String dflt) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return args[i + 1];
        return dflt;
    }
}
