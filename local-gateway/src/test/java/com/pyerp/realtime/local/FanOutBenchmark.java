package com.pyerp.realtime.local;

import com.pyerp.realtime.aws.ApiGatewayManagementSender;
import com.pyerp.realtime.aws.dynamo.Dynalite;
import com.pyerp.realtime.aws.dynamo.DynamoDbClients;
import com.pyerp.realtime.aws.dynamo.DynamoDbConnectionRegistry;
import com.pyerp.realtime.aws.dynamo.RegistryTableSetup;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import com.pyerp.realtime.core.dispatch.Dispatcher;
import com.pyerp.realtime.core.dispatch.FanOutPages;
import com.pyerp.realtime.core.dispatch.FanOutPolicy;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.RegistrySchema;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.handler.DispatcherHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fan-out benchmark (a main, not a test): the real dispatcher ({@link DispatcherHandler} over {@link Dispatcher}, the
 * DynamoDB registry on dynalite, the SDK's async {@code @connections} client, scatter through {@link FanOutQueue})
 * broadcasting one event to N subscribers of a channel, against an {@code @connections} stand-in (netty) that answers
 * after a configurable latency, applies API Gateway's account token bucket (10,000 RPS, 5,000 burst; 429
 * LimitExceededException when empty) and answers 410 for some gone ids. In the same run, a plain async HTTP client
 * ({@code java.net.http}, up to the same number in flight, 429 retried after 10 ms) posts the same N to the same
 * stand-in. Prints times, posts/s, 429s, lost, duplicated, and the ratios to the plain client and to the bucket's floor.
 *
 * <p>Options: {@code --subscribers 1000,10000} {@code --latency-ms 10} {@code --gone-every 100} (one id in 100 is gone)
 * {@code --clients crt,netty} (crt is the shipped one) {@code --page-size 1000} {@code --rate 10000 --burst 5000}. Command: see functions/README.md, "Fan-out benchmark".
 */
public final class FanOutBenchmark {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** API Gateway's account throttle, unless --rate / --burst say otherwise (to force throttling on a slow machine). */
    private static double RATE = 10_000;

    private static double BURST = 5_000;
    private static final int MAX_IN_FLIGHT = 256;
    private static final String STAGE = "bench";
    private static final int WARM_UP_ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String s : arg(args, "--subscribers", "1000,10000").split(",")) sizes.add(Integer.parseInt(s.trim()));
        long latencyMs = Long.parseLong(arg(args, "--latency-ms", "10"));
        int goneEvery = Integer.parseInt(arg(args, "--gone-every", "100"));
        List<String> clients = List.of(arg(args, "--clients", "crt,netty").split(","));
        int pageSize = Integer.parseInt(arg(args, "--page-size", Integer.toString(FanOutPages.PAGE_SIZE)));
        RATE = Double.parseDouble(arg(args, "--rate", "10000"));
        BURST = Double.parseDouble(arg(args, "--burst", "5000"));
        List<String> errors = new ArrayList<>();
        JsonLog.setSink(line -> {
            if (line.contains("\"ERROR\"") || line.contains("\"WARN\"")) {
                synchronized (errors) {
                    if (errors.size() < 20) errors.add(line);
                }
            }
        });

        System.out.printf(
                "fan-out benchmark: %d CPUs, java %s; stand-in: %d ms per post, bucket %.0f RPS / %.0f burst, one id in"
                        + " %d gone; dispatcher: DISPATCH_CONCURRENCY %d, page %d, %d page invocations at once%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                latencyMs,
                RATE,
                BURST,
                goneEvery,
                MAX_IN_FLIGHT,
                pageSize,
                FanOutQueue.CONCURRENCY);
        try (Dynalite dynalite = Dynalite.start();
                StandIn standIn = new StandIn(latencyMs)) {
            DynamoDbClient ddb = DynamoDbClients.create(
                    "eu-central-1",
                    Optional.of(dynalite.endpoint()),
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")),
                    DynamoDbClients.Settings.defaults());
            RegistryTableSetup.createIfMissing(ddb, "bench-connections", "bench-subscriptions");
            RealtimeEnv env = RealtimeEnv.builder()
                    .connectionsTable("bench-connections")
                    .subscriptionsTable("bench-subscriptions")
                    .jwtIssuer("https://bench")
                    .jwtAudience("bench")
                    .jwksUrl("http://127.0.0.1/jwks")
                    .managementEndpoint("http://127.0.0.1:" + standIn.port + "/" + STAGE)
                    .dynamoDbEndpoint(dynalite.endpoint().toString())
                    .dispatchConcurrency(MAX_IN_FLIGHT)
                    .fanOutPageSize(pageSize)
                    .region("eu-central-1")
                    .build();
            Map<String, String> rawEnv = new HashMap<>(env.toMap());
            rawEnv.put("AWS_ACCESS_KEY_ID", "bench");
            rawEnv.put("AWS_SECRET_ACCESS_KEY", "bench");
            DynamoDbConnectionRegistry registry = DynamoDbConnectionRegistry.builder()
                    .client(ddb)
                    .connectionsTable("bench-connections")
                    .subscriptionsTable("bench-subscriptions")
                    .build();
            String tenant = notice("x")
                    .path("detail")
                    .path(EventCatalog.load().tenantField())
                    .asString();
            String channelKey = tenant + "/system.broadcast";

            int seeded = 0;
            List<String> ids = new ArrayList<>();
            HttpClient plain = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(2))
                    .build();
            ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
            Map<String, Bench> benches = new HashMap<>();
            for (String c : clients) benches.put(c, new Bench(c, env, rawEnv, registry, pageSize));
            try {
                // warm-up (JIT, connection pools), not reported
                seeded = seed(ddb, channelKey, ids, Math.min(2_000, sizes.get(0)), seeded, goneEvery);
                for (int w = 0; w < WARM_UP_ROUNDS; w++) {
                    for (String c : clients) {
                        reseedGone(ddb, channelKey, ids);
                        benches.get(c).run(standIn, ids, "warm-" + c + "-" + w);
                    }
                    runPlain(plain, retries, standIn, ids);
                }

                System.out.printf(
                        "%-7s %-15s %9s %9s %9s %8s %6s %6s %6s %9s %9s%n",
                        "subs",
                        "client",
                        "time ms",
                        "returned",
                        "posts/s",
                        "429s",
                        "410s",
                        "lost",
                        "dup",
                        "vs plain",
                        "vs floor");
                int round = 0;
                for (int n : sizes) {
                    seeded = seed(ddb, channelKey, ids, n, seeded, goneEvery);
                    List<String> recipients = ids.subList(0, n);
                    double floorMs = Math.max(0, n - BURST) / RATE * 1000 + latencyMs;
                    Result p = runPlain(plain, retries, standIn, recipients);
                    for (String c : clients) {
                        reseedGone(ddb, channelKey, recipients);
                        // read the channel once untimed, so no client pays dynalite's first read of new items
                        try (var subs = registry.subscribers(channelKey, Instant.now())) {
                            long unused = subs.count();
                        }
                        Result r = benches.get(c).run(standIn, recipients, "ev-" + c + "-" + (++round));
                        print(n, "dispatch/" + c, r, p, floorMs);
                    }
                    print(n, "plain", p, p, floorMs);
                }
            } finally {
                for (Bench b : benches.values()) b.close();
                retries.shutdownNow();
                ((ExecutorService) plain.executor().orElseThrow()).shutdownNow();
                ddb.close();
            }
        }
        synchronized (errors) {
            if (!errors.isEmpty()) {
                System.out.println("first warnings/errors logged by the dispatcher:");
                errors.forEach(System.out::println);
            }
        }
        System.exit(0); // the SDK's and JDK's client threads
    }

    private static void print(int n, String client, Result r, Result plain, double floorMs) {
        System.out.printf(
                "%-7d %-15s %9.0f %9.0f %9.0f %8d %6d %6d %6d %8.2fx %8.2fx%n",
                n,
                client,
                r.millis,
                r.returnedMillis,
                r.posts / (r.millis / 1000),
                r.throttled,
                r.gone,
                r.lost,
                r.duplicated,
                r.millis / plain.millis,
                r.millis / floorMs);
    }

    /**
     * @param millis         from the start until the last post was answered (200 or 410): the fan-out as subscribers see it
     * @param returnedMillis until every invocation returned (they also wait for their queued 410 cleanup)
     */
    record Result(double millis, double returnedMillis, int posts, int throttled, int gone, int lost, int duplicated) {}

    /** The dispatcher with one HTTP client, and its own scatter queue. */
    static final class Bench implements AutoCloseable {
        final DispatcherHandler handler;
        final FanOutQueue queue;
        final Dispatcher dispatcher;

        Bench(
                String client,
                RealtimeEnv env,
                Map<String, String> rawEnv,
                DynamoDbConnectionRegistry registry,
                int pageSize) {
            SdkAsyncHttpClient http = switch (client) {
                case "crt" -> ApiGatewayManagementSender.crtClient(env.dispatchConcurrency());
                case "netty" ->
                    NettyNioAsyncHttpClient.builder()
                            .maxConcurrency(env.dispatchConcurrency())
                            .maxPendingConnectionAcquires(10_000)
                            .connectionTimeout(Duration.ofSeconds(2))
                            .connectionAcquisitionTimeout(Duration.ofSeconds(10))
                            .build();
                default -> throw new IllegalArgumentException("--clients: netty or crt, got " + client);
            };
            ConnectionSender sender =
                    new ApiGatewayManagementSender(ApiGatewayManagementSender.client(env, rawEnv, http), http);
            queue = new FanOutQueue(env.region());
            dispatcher = new Dispatcher(
                    EventCatalog.load(),
                    registry,
                    sender,
                    Clock.systemUTC(),
                    FanOutPolicy.of(env.dispatchConcurrency()),
                    env.dedupWindow(),
                    queue,
                    pageSize);
            handler = new DispatcherHandler(dispatcher);
            queue.attach(handler);
        }

        Result run(StandIn standIn, List<String> recipients, String eventId) throws Exception {
            standIn.reset();
            byte[] event = JSON.writeValueAsBytes(notice(eventId));
            long start = System.nanoTime();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(event), out, null);
            if (!queue.awaitIdle(Duration.ofMinutes(5))) throw new IllegalStateException("pages still running");
            return standIn.result(start, System.nanoTime(), recipients);
        }

        @Override
        public void close() {
            queue.close();
            dispatcher.close();
        }
    }

    /** The plain async HTTP client: the same posts, up to the same number in flight, 429 retried after 10 ms. */
    static Result runPlain(HttpClient http, ScheduledExecutorService retries, StandIn standIn, List<String> ids)
            throws Exception {
        standIn.reset();
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        CountDownLatch done = new CountDownLatch(ids.size());
        long start = System.nanoTime();
        for (String id : ids) {
            inFlight.acquire();
            HttpRequest req = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + standIn.port + "/" + STAGE + "/@connections/" + id))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"event\"}"))
                    .build();
            postPlain(http, retries, req, () -> {
                inFlight.release();
                done.countDown();
            });
        }
        done.await();
        return standIn.result(start, System.nanoTime(), ids);
    }

    private static void postPlain(HttpClient http, ScheduledExecutorService retries, HttpRequest req, Runnable done) {
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, err) -> {
            if (err == null && resp.statusCode() == 429) {
                retries.schedule(() -> postPlain(http, retries, req, done), 10, TimeUnit.MILLISECONDS);
            } else {
                done.run();
            }
        });
    }

    static ObjectNode notice(String id) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", "0");
        n.put("id", id);
        n.put("detail-type", "MaintenanceNotice");
        n.put("source", "pyerp.system");
        n.put("account", "123456789012");
        n.put("time", Instant.now().toString());
        n.put("region", "eu-central-1");
        n.putArray("resources");
        n.set("detail", EventCatalog.readTree(EventCatalog.BASE + "examples/maintenance-notice.json"));
        return n;
    }

    /** Grows the channel to {@code n} subscribers (ids c… live, g… gone) with BatchWriteItem, as subscribe writes them. */
    static int seed(DynamoDbClient ddb, String channelKey, List<String> ids, int n, int seeded, int goneEvery) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int i = seeded; i < n; i++) {
            String id = (goneEvery > 0 && i % goneEvery == goneEvery - 1 ? "g" : "c") + String.format("%015d", i);
            ids.add(id);
            items.add(subscription(id, channelKey, i));
        }
        write(ddb, items);
        return Math.max(seeded, n);
    }

    /** Puts back the gone ids' subscriptions (the previous run's 410 cleanup removed them). */
    static void reseedGone(DynamoDbClient ddb, String channelKey, List<String> ids) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++)
            if (ids.get(i).startsWith("g")) items.add(subscription(ids.get(i), channelKey, i));
        write(ddb, items);
    }

    private static Map<String, AttributeValue> subscription(String id, String channelKey, int i) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(RegistrySchema.SUB_PK, AttributeValue.fromS(id));
        item.put(RegistrySchema.SUB_SK, AttributeValue.fromS(channelKey));
        item.put(RegistrySchema.USER_ID, AttributeValue.fromS("user-" + (i % 5000)));
        item.put(RegistrySchema.ROLES, AttributeValue.fromSs(List.of("inventory:read")));
        item.put(
                RegistrySchema.EXPIRES_AT,
                AttributeValue.fromN(
                        Long.toString(Instant.now().plus(Duration.ofHours(2)).getEpochSecond())));
        return item;
    }

    private static void write(DynamoDbClient ddb, List<Map<String, AttributeValue>> items) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int from = 0; from < items.size(); from += 25) {
                List<WriteRequest> batch = items.subList(from, Math.min(items.size(), from + 25)).stream()
                        .map(it -> WriteRequest.builder()
                                .putRequest(PutRequest.builder().item(it).build())
                                .build())
                        .toList();
                futures.add(pool.submit(() -> {
                    Map<String, List<WriteRequest>> left = Map.of("bench-subscriptions", batch);
                    while (!left.isEmpty()) {
                        Map<String, List<WriteRequest>> req = left;
                        BatchWriteItemResponse r = ddb.batchWriteItem(b -> b.requestItems(req));
                        left = r.hasUnprocessedItems() ? r.unprocessedItems() : Map.of();
                    }
                }));
            }
            for (var f : futures) f.get();
        } catch (Exception e) {
            throw new IllegalStateException("seeding failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The {@code @connections} stand-in: POST /{stage}/@connections/{id}; 429 when the bucket is empty, 410 for ids
     * starting with g, else 200 (counted per id), each answered after the latency (scheduled, no thread held).
     */
    static final class StandIn implements AutoCloseable {
        final EventLoopGroup group = new NioEventLoopGroup(2);
        final Channel channel;
        final int port;
        final long latencyMs;
        volatile TokenBucket bucket;
        volatile Map<String, AtomicInteger> delivered;
        final AtomicInteger throttled = new AtomicInteger();
        final AtomicInteger gone = new AtomicInteger();
        final AtomicInteger posts = new AtomicInteger();
        /** when the last 200 or 410 went out (nanoTime) */
        final java.util.concurrent.atomic.AtomicLong lastAnswer = new java.util.concurrent.atomic.AtomicLong();

        StandIn(long latencyMs) throws InterruptedException {
            this.latencyMs = latencyMs;
            reset();
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(
                                            new HttpServerCodec(), new HttpObjectAggregator(256 * 1024), new Handler());
                        }
                    })
                    .bind("127.0.0.1", 0)
                    .sync()
                    .channel();
            port = ((InetSocketAddress) channel.localAddress()).getPort();
        }

        void reset() {
            bucket = new TokenBucket(RATE, BURST);
            delivered = new ConcurrentHashMap<>();
            throttled.set(0);
            gone.set(0);
            posts.set(0);
            lastAnswer.set(0);
        }

        Result result(long start, long returned, List<String> recipients) {
            int lost = 0, dup = 0;
            for (String id : recipients) {
                if (id.startsWith("g")) continue;
                AtomicInteger n = delivered.get(id);
                if (n == null) lost++;
                else dup += n.get() - 1;
            }
            return new Result(
                    (lastAnswer.get() - start) / 1e6,
                    (returned - start) / 1e6,
                    recipients.size(),
                    throttled.get(),
                    gone.get(),
                    lost,
                    dup);
        }

        final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                String uri = req.uri();
                String id = uri.substring(uri.lastIndexOf('/') + 1);
                boolean keepAlive = HttpUtil.isKeepAlive(req);
                posts.incrementAndGet();
                HttpResponseStatus status;
                String type = null;
                if (!bucket.tryAcquire()) {
                    throttled.incrementAndGet();
                    status = HttpResponseStatus.TOO_MANY_REQUESTS;
                    type = "LimitExceededException";
                } else if (id.startsWith("g")) {
                    gone.incrementAndGet();
                    status = HttpResponseStatus.GONE;
                    type = "GoneException";
                } else {
                    delivered.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                    status = HttpResponseStatus.OK;
                }
                byte[] body = type == null
                        ? new byte[0]
                        : ("{\"message\":\"" + type + "\"}").getBytes(StandardCharsets.UTF_8);
                FullHttpResponse resp =
                        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
                resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                if (type != null) resp.headers().set("x-amzn-ErrorType", type);
                if (keepAlive) resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.executor()
                        .schedule(
                                () -> {
                                    if (status != HttpResponseStatus.TOO_MANY_REQUESTS)
                                        lastAnswer.accumulateAndGet(System.nanoTime(), Math::max);
                                    var f = ctx.writeAndFlush(resp);
                                    if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
                                },
                                latencyMs,
                                TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void close() {
            channel.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static String arg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return args[i + 1];
        return dflt;
    }
}
