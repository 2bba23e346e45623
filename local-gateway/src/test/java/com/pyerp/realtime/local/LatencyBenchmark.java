package com.pyerp.realtime.local;

import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;

/**
 * End-to-end latency and throughput benchmark (a main, not a test), measured as a user would: real WebSocket clients
 * (Jetty's client) subscribed to {@code sales.orders} on a local gateway, events published with the real EventBridge
 * SDK at a fixed rate ({@code OrderStatusChanged}, which does not coalesce, so every event reaches every client). Per
 * message: PutEvents call start → the client has the frame. Prints p50/p90/p99/max, messages/s, losses, duplicates.
 *
 * <p>Baseline, same run, same clients, same gateway: a WebSocket round trip ({@code ping} → the command handler →
 * {@code pong}), the floor of any message through the gateway; the ratio is event latency / round trip.
 *
 * <pre>mvn -q -pl local-gateway test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=com.pyerp.realtime.local.LatencyBenchmark -Dexec.args="all"</pre>
 *
 * Arguments: {@code light} (10 clients, 10 events/s, 10 s), {@code heavy} (1,000 clients, 10 events/s = 10,000
 * messages/s, 20 s), {@code overload} (1,000 clients, 20 events/s = twice the account's PostToConnection rate, 10 s),
 * {@code all}, or {@code custom CLIENTS EVENTS_PER_SECOND SECONDS}.
 */
public final class LatencyBenchmark {
    private static final String DETAIL = "{\"tenantId\":\"acme\",\"orderId\":\"SO-%d\",\"customerId\":\"C-88\","
            + "\"previousStatus\":\"confirmed\",\"status\":\"picking\",\"totalAmount\":1299.0,\"currency\":\"EUR\","
            + "\"changedAt\":\"%s\"}";

    private static final String BUS = "erp-events";

    private record Phase(String name, int clients, int eventsPerSecond, int seconds) {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "all";
        List<Phase> phases = new ArrayList<>();
        switch (mode) {
            case "light" -> phases.add(new Phase("light", 10, 10, 10));
            case "heavy" -> phases.add(new Phase("heavy", 1000, 10, 20));
            case "overload" -> phases.add(new Phase("overload", 1000, 20, 10));
            case "all" -> {
                phases.add(new Phase("light", 10, 10, 10));
                phases.add(new Phase("heavy", 1000, 10, 20));
                phases.add(new Phase("overload", 1000, 20, 10));
            }
            case "custom" ->
                phases.add(new Phase(
                        "custom", Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3])));
            default -> {
                System.err.println("usage: LatencyBenchmark [light|heavy|overload|all|custom CLIENTS RATE SECONDS]");
                System.exit(2);
            }
        }
        for (Phase p : phases)
            if (p.clients < 1
                    || p.clients > 5000
                    || p.eventsPerSecond < 1
                    || p.eventsPerSecond > 200
                    || p.seconds > 120) throw new IllegalArgumentException("out of bounds: " + p);
        com.pyerp.realtime.core.log.JsonLog.setSink(line -> {}); // measure delivery, not log printing
        System.out.printf(
                Locale.ROOT,
                "end-to-end latency benchmark: %d cores, Java %s%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        for (Phase p : phases) run(p);
    }

    private static void run(Phase p) throws Exception {
        var key = Files.createTempFile("bench", ".jwk");
        Files.delete(key);
        try (LocalGateway gw = LocalGateway.start(
                        LocalGatewayConfig.builder().port(0).keyFile(key).build());
                EventBridgeClient events = TestGateways.events(gw)) {
            WebSocketClient ws = new WebSocketClient();
            ws.start();
            try {
                int totalEvents = p.eventsPerSecond * p.seconds;
                Recorder rec = new Recorder(p.clients, totalEvents);
                List<Session> sessions = connect(gw, ws, p.clients, rec);

                // baseline: WebSocket round trips through the same gateway, at the same message rate
                int offered = p.eventsPerSecond * p.clients;
                double[] rtt =
                        pingRoundTrips(sessions, rec, Math.min(2000, Math.max(100, offered)), Math.min(offered, 2000));

                // warm-up (not measured): 5 s at the phase's rate loads the catalog's schema validators and lets the
                // JIT compile the path
                long periodNanos = 1_000_000_000L / p.eventsPerSecond;
                int warmupEvents = p.eventsPerSecond * 5;
                rec.warmup.set(new CountDownLatch(p.clients * warmupEvents));
                long warmStart = System.nanoTime();
                for (int i = 0; i < warmupEvents; i++) {
                    long wait = warmStart + i * periodNanos - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                    publish(events, -1);
                }
                rec.warmup.get().await(60, TimeUnit.SECONDS);

                long cpuBefore = processCpuNanos();
                long start = System.nanoTime();
                for (int seq = 0; seq < totalEvents; seq++) {
                    long due = start + seq * periodNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                    rec.sentAt.set(seq, System.nanoTime());
                    publish(events, seq);
                }
                long publishEnd = System.nanoTime();
                long deadline = publishEnd + TimeUnit.SECONDS.toNanos(15);
                while (rec.received.get() < (long) totalEvents * p.clients && System.nanoTime() < deadline)
                    Thread.sleep(20);
                long end = rec.lastReceive.get();
                long cpu = processCpuNanos() - cpuBefore;
                report(p, rec, rtt, start, end, publishEnd);
                System.out.printf(
                        Locale.ROOT,
                        "  CPU (gateway + clients + publisher, one JVM): %.2f ms per delivered message%n",
                        cpu / 1e6 / Math.max(1, rec.received.get()));
                // a normal close handshake with each client before the client stops (no half-closed sockets left)
                List<Callback.Completable> closing = new ArrayList<>();
                for (Session s : sessions) {
                    Callback.Completable c = new Callback.Completable();
                    s.close(1000, "benchmark over", c);
                    closing.add(c);
                }
                try {
                    CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                            .get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    System.out.println("  (some clients did not finish their close handshake: " + e + ")");
                }
            } finally {
                ws.stop();
            }
        }
    }

    private static void publish(EventBridgeClient events, int seq) {
        events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                .eventBusName(BUS)
                .source("pyerp.sales")
                .detailType("OrderStatusChanged")
                .detail(String.format(Locale.ROOT, DETAIL, seq, Instant.now()))
                .build()));
    }

    private static List<Session> connect(LocalGateway gw, WebSocketClient ws, int clients, Recorder rec)
            throws Exception {
        CountDownLatch acks = new CountDownLatch(clients);
        rec.acks.set(acks);
        List<CompletableFuture<Session>> opening = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String token = gw.mintToken("bench-" + i, "acme", List.of("sales:read"), List.of(), Duration.ofHours(1));
            ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
            req.setSubProtocols("erp.v1", token);
            opening.add(ws.connect(new Client(i, rec), req));
            if (i % 200 == 199) Thread.sleep(400); // API Gateway admits 500 new connections per second
        }
        List<Session> sessions = new ArrayList<>();
        for (CompletableFuture<Session> f : opening) sessions.add(f.get(60, TimeUnit.SECONDS));
        for (Session s : sessions) s.sendText("{\"action\":\"subscribe\",\"channel\":\"sales.orders\"}", Callback.NOOP);
        if (!acks.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("not every client got its ack");
        rec.acks.set(null);
        return sessions;
    }

    private static double[] pingRoundTrips(List<Session> sessions, Recorder rec, int count, int perSecond)
            throws Exception {
        rec.pingSent = new long[count];
        rec.pingRtt = new double[count];
        rec.pongs = new CountDownLatch(count);
        long period = 1_000_000_000L / perSecond; // the phase's message rate, at most 2,000 round trips per second
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long wait = start + i * period - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            rec.pingSent[i] = System.nanoTime();
            sessions.get(i % sessions.size()).sendText("{\"action\":\"ping\",\"id\":\"b" + i + "\"}", Callback.NOOP);
        }
        rec.pongs.await(30, TimeUnit.SECONDS);
        return rec.pingRtt;
    }

    private static void report(Phase p, Recorder rec, double[] rtt, long start, long end, long publishEnd) {
        int n = rec.latencyCount.get();
        double[] lat = new double[n];
        for (int i = 0; i < n; i++) lat[i] = rec.latencies[i] / 1e6;
        Arrays.sort(lat);
        double[] base = Arrays.stream(rtt).filter(v -> v > 0).sorted().toArray();
        long expected = (long) p.eventsPerSecond * p.seconds * p.clients;
        long unique = 0;
        for (int i = 0; i < rec.seen.length(); i++) if (rec.seen.get(i) > 0) unique++;
        double seconds = Math.max(1, end - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "%n%s: %,d clients, %d events/s for %d s -> %,d messages expected (%,d/s offered)%n",
                p.name,
                p.clients,
                p.eventsPerSecond,
                p.seconds,
                expected,
                (long) p.eventsPerSecond * p.clients);
        System.out.printf(
                Locale.ROOT,
                "  PutEvents -> client  p50 %7.1f  p90 %7.1f  p99 %7.1f  max %7.1f ms%n",
                pct(lat, 50),
                pct(lat, 90),
                pct(lat, 99),
                lat.length == 0 ? Double.NaN : lat[lat.length - 1]);
        System.out.printf(
                Locale.ROOT,
                "  baseline ws ping rtt p50 %7.1f  p90 %7.1f  p99 %7.1f  max %7.1f ms (%,d round trips)%n",
                pct(base, 50),
                pct(base, 90),
                pct(base, 99),
                base.length == 0 ? Double.NaN : base[base.length - 1],
                base.length);
        System.out.printf(
                Locale.ROOT,
                "  ratio event/baseline p50 %.1fx  p99 %.1fx%n",
                pct(lat, 50) / pct(base, 50),
                pct(lat, 99) / pct(base, 99));
        System.out.printf(
                Locale.ROOT,
                "  delivered %,d of %,d in %.1f s = %,.0f messages/s; not delivered within 15 s of the last publish"
                        + " (lost or still queued) %,d; duplicates %,d; drain after last publish %.0f ms%n",
                unique,
                expected,
                seconds,
                rec.received.get() / seconds,
                expected - unique,
                rec.duplicates.get(),
                Math.max(0, end - publishEnd) / 1e6);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double pct(double[] sorted, int p) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** What the clients saw. Indexes: event seq × clients + client. */
    static final class Recorder {
        final int clients;
        final AtomicLongArray sentAt;
        final AtomicIntegerArray seen;
        final long[] latencies;
        final AtomicInteger latencyCount = new AtomicInteger();
        final AtomicLong received = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong lastReceive = new AtomicLong();
        final AtomicReference<CountDownLatch> acks = new AtomicReference<>();
        final AtomicReference<CountDownLatch> warmup = new AtomicReference<>();
        volatile long[] pingSent;
        volatile double[] pingRtt;
        volatile CountDownLatch pongs;

        Recorder(int clients, int events) {
            this.clients = clients;
            this.sentAt = new AtomicLongArray(events);
            this.seen = new AtomicIntegerArray(events * clients);
            this.latencies = new long[events * clients];
        }
    }

    /** A client: parses only what it needs (the order id carries the event's sequence number). */
    public static final class Client implements Session.Listener.AutoDemanding {
        private final int index;
        private final Recorder rec;

        public Client(int index, Recorder rec) {
            this.index = index;
            this.rec = rec;
        }

        /** A socket closed under a client at the end of a run is expected; anything else is printed. */
        @Override
        public void onWebSocketError(Throwable cause) {
            if (!(cause instanceof java.nio.channels.ClosedChannelException))
                System.err.println("client " + index + ": " + cause);
        }

        @Override
        public void onWebSocketText(String m) {
            long now = System.nanoTime();
            int o = m.indexOf("\"orderId\":\"SO-");
            if (o >= 0) {
                int from = o + 14;
                int to = m.indexOf('"', from);
                int seq = Integer.parseInt(m, from, to, 10);
                if (seq < 0) {
                    CountDownLatch w = rec.warmup.get();
                    if (w != null) w.countDown();
                    return;
                }
                rec.received.incrementAndGet();
                rec.lastReceive.accumulateAndGet(now, Math::max);
                if (rec.seen.getAndIncrement(seq * rec.clients + index) > 0) {
                    rec.duplicates.incrementAndGet();
                    return;
                }
                rec.latencies[rec.latencyCount.getAndIncrement()] = now - rec.sentAt.get(seq);
                return;
            }
            if (m.contains("\"pong\"")) {
                int i = m.indexOf("\"id\":\"b");
                if (i >= 0) {
                    int from = i + 7;
                    int k = Integer.parseInt(m, from, m.indexOf('"', from), 10);
                    rec.pingRtt[k] = (now - rec.pingSent[k]) / 1e6;
                    rec.pongs.countDown();
                }
                return;
            }
            CountDownLatch a = rec.acks.get();
            if (a != null && m.contains("\"ack\"")) a.countDown();
        }
    }
}
