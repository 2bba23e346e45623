package com.pyerp.realtime.local;

import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;

/**
 * Broadcast benchmark (a main, not a test): N real WebSocket clients subscribe to {@code system.broadcast} on a
 * local gateway; each round publishes one MaintenanceNotice with the EventBridge SDK and measures the time until
 * every client has received it (PutEvents → rule → dispatcher → N × PostToConnection through the real
 * ApiGatewayManagementApiClient → WebSocket). Prints the figures.
 *
 * <pre>mvn -q -pl local-gateway test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=com.pyerp.realtime.local.BroadcastBenchmark -Dexec.args="1000 5"</pre>
 */
public final class BroadcastBenchmark {
    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        if (connections < 1 || connections > 20_000 || rounds < 1 || rounds > 100) {
            System.err.println("usage: BroadcastBenchmark [connections 1..20000] [rounds 1..100]");
            System.exit(2);
        }
        com.pyerp.realtime.core.log.JsonLog.setSink(line -> {}); // measure delivery, not log printing
        var key = Files.createTempFile("bench", ".jwk");
        Files.delete(key);
        try (LocalGateway gw = LocalGateway.start(
                        LocalGatewayConfig.builder().port(0).keyFile(key).build());
                EventBridgeClient events = TestGateways.events(gw)) {
            WebSocketClient ws = new WebSocketClient();
            ws.start();
            try {
                AtomicReference<CountDownLatch> pending = new AtomicReference<>(new CountDownLatch(connections));
                long t0 = System.nanoTime();
                List<CompletableFuture<Session>> opening = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    // one user per client: the gateway limits connections per user (MAX_CONNECTIONS_PER_USER)
                    String token = gw.mintToken("bench-" + i, "acme", List.of(), List.of(), Duration.ofHours(1));
                    ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
                    req.setSubProtocols("erp.v1", token);
                    opening.add(ws.connect(new Counter(pending), req));
                }
                List<Session> sessions = new ArrayList<>();
                for (CompletableFuture<Session> f : opening) sessions.add(f.get(60, TimeUnit.SECONDS));
                for (Session s : sessions)
                    s.sendText("{\"action\":\"subscribe\",\"channel\":\"system.broadcast\"}", Callback.NOOP);
                if (!pending.get().await(60, TimeUnit.SECONDS))
                    throw new IllegalStateException("not every client got its ack");
                double setup = (System.nanoTime() - t0) / 1e6;

                double[] ms = new double[rounds + 1];
                for (int r = 0; r <= rounds; r++) { // round 0 warms up
                    CountDownLatch latch = new CountDownLatch(connections);
                    pending.set(latch);
                    long start = System.nanoTime();
                    events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                            .eventBusName(gw.bus())
                            .source("pyerp.system")
                            .detailType("MaintenanceNotice")
                            .detail("{\"tenantId\":\"acme\",\"message\":\"benchmark\"}")
                            .build()));
                    if (!latch.await(120, TimeUnit.SECONDS))
                        throw new IllegalStateException(
                                "round " + r + ": " + latch.getCount() + " clients got nothing");
                    ms[r] = (System.nanoTime() - start) / 1e6;
                }
                double[] measured = Arrays.copyOfRange(ms, 1, ms.length);
                Arrays.sort(measured);
                double median = measured[measured.length / 2];
                System.out.printf(
                        Locale.ROOT,
                        "broadcast benchmark: %d connections, %d rounds, %d cores, Java %s%n",
                        connections,
                        rounds,
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"));
                System.out.printf(
                        Locale.ROOT,
                        "  connect + subscribe all: %.0f ms (%.0f connections/s)%n",
                        setup,
                        connections / (setup / 1000));
                System.out.printf(
                        Locale.ROOT,
                        "  PutEvents -> last client: median %.0f ms, min %.0f ms, max %.0f ms%n",
                        median,
                        measured[0],
                        measured[measured.length - 1]);
                System.out.printf(
                        Locale.ROOT, "  delivery rate at the median: %.0f messages/s%n", connections / (median / 1000));
                for (Session s : sessions) s.close();
            } finally {
                ws.stop();
            }
        }
    }

    /** Counts every frame a client receives against the current round's latch. */
    public static final class Counter implements Session.Listener.AutoDemanding {
        private final AtomicReference<CountDownLatch> pending;

        Counter(AtomicReference<CountDownLatch> pending) {
            this.pending = pending;
        }

        @Override
        public void onWebSocketText(String message) {
            pending.get().countDown();
        }

        /** A socket closed under a client at the end of the run is expected; anything else is printed. */
        @Override
        public void onWebSocketError(Throwable cause) {
            if (!(cause instanceof java.nio.channels.ClosedChannelException)) System.err.println("client: " + cause);
        }
    }
}
