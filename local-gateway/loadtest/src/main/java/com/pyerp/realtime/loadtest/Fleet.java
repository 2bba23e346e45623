package com.pyerp.realtime.loadtest;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The WebSocket clients of a run: real Jetty clients speaking {@code erp.v1}, opened at a paced rate, subscribed to
 * the broadcast channel, counting every event frame of this run (by its correlation id) and its latency.
 */
public final class Fleet implements AutoCloseable {
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final String SUBSCRIBE =
            "{\"action\":\"subscribe\",\"channel\":\"" + LoadTestOptions.CHANNEL + "\",\"id\":\"lt\"}";

    private final LoadTestOptions options;
    private final Tokens tokens;
    private final Metrics metrics;
    private final Publisher publisher;
    private final WebSocketClient ws;
    private final ScheduledExecutorService timers;
    private final List<Client> clients = new ArrayList<>();
    private final Pacer pacer;
    /** Receipts per correlation id (for time-to-last-receipt). */
    final Map<String, AtomicInteger> receipts = new ConcurrentHashMap<>();

    final Map<String, Long> lastReceiptNanos = new ConcurrentHashMap<>();
    final Map<String, Long> firstReceiptNanos = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private volatile boolean autoReconnect;

    Fleet(LoadTestOptions options, Tokens tokens, Metrics metrics, Publisher publisher) throws TargetException {
        this.options = options;
        this.tokens = tokens;
        this.metrics = metrics;
        this.publisher = publisher;
        this.pacer = new Pacer(options.connectRate());
        ws = new WebSocketClient();
        ws.setIdleTimeout(
                Duration.ofMinutes(11)); // clients ping every 5 min, like client-js; API Gateway idles out at 10
        ws.setConnectTimeout(options.connectTimeout().toMillis());
        ws.getHttpClient().setMaxConnectionsPerDestination(Math.max(64, options.clients() + 1));
        try {
            ws.start();
        } catch (Exception e) {
            throw new TargetException("cannot start the WebSocket client: " + e.getMessage(), e);
        }
        timers = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "loadtest-timer");
            t.setDaemon(true);
            return t;
        });
        timers.scheduleAtFixedRate(this::pingAll, 5, 5, TimeUnit.MINUTES);
        for (int i = 0; i < options.clients(); i++) clients.add(new Client(i));
    }

    List<Client> clients() {
        return clients;
    }

    void autoReconnect(boolean on) {
        autoReconnect = on;
    }

    /**
     * Connects one client now and waits (the preflight): a refused or failed handshake, or a refused subscription,
     * becomes a {@link TargetException} that says what to check.
     */
    void preflight(Client c) throws TargetException {
        CompletableFuture<Void> done = c.open(true, false);
        try {
            done.get(options.connectTimeout().toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw explain(e.getCause());
        } catch (TimeoutException e) {
            throw new TargetException("no answer from " + options.url() + " within "
                    + options.connectTimeout().toSeconds() + " s (connect, then subscribe)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException("interrupted");
        }
    }

    TargetException explain(Throwable t) {
        Throwable c = t;
        while (c != null) {
            if (c instanceof UpgradeException u) {
                int status = u.getResponseStatusCode();
                String what = switch (status) {
                    case 401 ->
                        "the gateway refused the token (HTTP 401 Unauthorized): check the token source, its issuer ("
                                + options.issuer() + "), audience (" + options.audience()
                                + ") and that the signing key is the one the gateway's JWKS publishes";
                    case 403 ->
                        "the gateway refused the connection (HTTP 403 Forbidden): origin not allowed"
                                + (options.origin() == null ? "" : " (" + options.origin() + ")")
                                + " or access denied";
                    case 404 ->
                        "nothing at " + options.url()
                                + " (HTTP 404): check the stage in the URL (e.g. ws://localhost:8080/local)";
                    case 429 -> "the gateway throttled the handshake (HTTP 429): lower --rate";
                    default -> "the WebSocket handshake was refused with HTTP " + status;
                };
                return new TargetException(what, t);
            }
            if (c instanceof ConnectException)
                return new TargetException(
                        "cannot connect to " + options.url() + ": connection refused (is the gateway running on "
                                + options.url().getHost() + ":" + port() + "?)",
                        t);
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException)
                return new TargetException("cannot resolve the host of --url " + options.url(), t);
            if (c instanceof SubscribeRefused s) return new TargetException(s.getMessage(), t);
            if (c instanceof TimeoutException)
                return new TargetException("no answer from " + options.url() + " in time", t);
            c = c.getCause();
        }
        return new TargetException("cannot connect to " + options.url() + ": " + t, t);
    }

    private int port() {
        int p = options.url().getPort();
        return p > 0 ? p : options.url().getScheme().equalsIgnoreCase("wss") ? 443 : 80;
    }

    /**
     * Opens (and subscribes) clients {@code from..to-1}, one new connection per pacer slot. With {@code retry}
     * a refused handshake is tried again with full-jitter backoff until {@code deadlineNanos}; without, it is
     * counted as a refusal by status. Returns when every client is open or has given up.
     */
    void openAll(int from, int to, boolean subscribe, boolean retry, long deadlineNanos) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Client c = clients.get(i);
            CompletableFuture<Void> f = new CompletableFuture<>();
            all.add(f);
            attempt(c, subscribe, retry, deadlineNanos, f, 0);
        }
        long waitMs = Math.max(1000, (deadlineNanos - System.nanoTime()) / 1_000_000);
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(waitMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // counted per client
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void attempt(
            Client c, boolean subscribe, boolean retry, long deadlineNanos, CompletableFuture<Void> done, int n) {
        if (closing) {
            done.complete(null);
            return;
        }
        long delay = pacer.nextDelayNanos();
        timers.schedule(
                () -> c.open(subscribe, n > 0).whenComplete((ok, failure) -> {
                    if (failure == null) {
                        done.complete(null);
                        return;
                    }
                    String cause = cause(failure);
                    metrics.refused(cause);
                    if (retry && System.nanoTime() < deadlineNanos && !closing) {
                        long cap = Math.min(MAX_BACKOFF.toNanos(), MIN_BACKOFF.toNanos() * (1L << Math.min(n, 10)));
                        long sleep = ThreadLocalRandom.current().nextLong(cap + 1);
                        timers.schedule(
                                () -> attempt(c, subscribe, retry, deadlineNanos, done, n + 1),
                                sleep,
                                TimeUnit.NANOSECONDS);
                    } else {
                        done.complete(null);
                    }
                }),
                delay,
                TimeUnit.NANOSECONDS);
    }

    static String cause(Throwable t) {
        Throwable c = t;
        while (c != null) {
            if (c instanceof UpgradeException u) return "HTTP " + u.getResponseStatusCode();
            if (c instanceof SubscribeRefused s) return "subscribe refused: " + s.code;
            if (c instanceof TimeoutException) return "timeout";
            if (c instanceof ConnectException) return "connection refused";
            if (c instanceof IOException && c.getCause() == null)
                return "I/O: " + c.getClass().getSimpleName();
            c = c.getCause();
        }
        return t.getClass().getSimpleName();
    }

    /** Drops every open connection at once without a close handshake (as a network failure would). */
    void dropAll() {
        for (Client c : clients) c.drop();
    }

    int openCount() {
        int n = 0;
        for (Client c : clients) if (c.isOpen()) n++;
        return n;
    }

    int subscribedCount() {
        int n = 0;
        for (Client c : clients) if (c.subscribedNow) n++;
        return n;
    }

    private void pingAll() {
        for (Client c : clients) c.send("{\"action\":\"ping\"}");
    }

    @Override
    public void close() {
        closing = true;
        timers.shutdownNow();
        for (Client c : clients) c.close();
        try {
            ws.stop();
        } catch (Exception e) {
            // best effort: the JVM exits after the run anyway
        }
    }

    /** A subscription answered with an error frame. */
    static final class SubscribeRefused extends Exception {
        final String code;

        SubscribeRefused(String code, String message) {
            super("the gateway refused the subscription to " + LoadTestOptions.CHANNEL + ": " + code + " " + message);
            this.code = code;
        }
    }

    /**
     * One simulated user: its state survives reconnects (what it has seen, for duplicates and losses); each
     * connection is a {@link Conn} of its own, so a late close of an old connection never touches the new one.
     */
    public final class Client {
        final int index;
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        private volatile Conn current;
        volatile boolean subscribedNow;
        volatile long lastAckNanos;

        Client(int index) {
            this.index = index;
        }

        boolean isOpen() {
            Conn c = current;
            return c != null && c.isOpen();
        }

        /** Connects, and subscribes when asked; completes when open (and acked). */
        CompletableFuture<Void> open(boolean subscribe, boolean isRetry) {
            CompletableFuture<Void> result = new CompletableFuture<>();
            String token;
            try {
                token = tokens.tokenFor(index);
            } catch (TargetException e) {
                result.completeExceptionally(e);
                return result;
            }
            ClientUpgradeRequest req = new ClientUpgradeRequest(options.url());
            req.setSubProtocols("erp.v1", token);
            if (options.origin() != null) req.setHeader("Origin", options.origin());
            Conn conn = new Conn(this);
            current = conn;
            subscribedNow = false;
            long t0 = System.nanoTime();
            metrics.connects.incrementAndGet();
            try {
                ws.connect(conn, req).whenComplete((s, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(failure);
                        return;
                    }
                    metrics.handshake.recordNanos(System.nanoTime() - t0);
                    if (!subscribe) {
                        result.complete(null);
                        return;
                    }
                    s.sendText(SUBSCRIBE, Callback.NOOP);
                    conn.acked
                            .orTimeout(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                            .whenComplete((ok, f) -> {
                                if (f != null) result.completeExceptionally(f);
                                else result.complete(null);
                            });
                });
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
            return result;
        }

        void onEvent(String m, long now) {
            String corr = field(m, "correlationId");
            if (corr == null || !corr.startsWith(publisher.prefix())) return; // not this run's (e.g. the demo)
            if (!seen.add(corr)) {
                metrics.duplicates.incrementAndGet();
                return;
            }
            Long sent = publisher.sentAt(corr);
            if (sent != null) metrics.latency(now - sent);
            else metrics.delivered.incrementAndGet();
            receipts.computeIfAbsent(corr, k -> new AtomicInteger()).incrementAndGet();
            lastReceiptNanos.merge(corr, now, Math::max);
            firstReceiptNanos.merge(corr, now, Math::min);
        }

        void send(String text) {
            Conn c = current;
            if (c != null) c.send(text);
        }

        void drop() {
            Conn c = current;
            if (c != null) c.drop();
            subscribedNow = false;
        }

        void close() {
            Conn c = current;
            if (c != null) c.close();
        }
    }

    /** One WebSocket connection of a client (Jetty's listener; public for Jetty's method handles). */
    public final class Conn implements Session.Listener.AutoDemanding {
        private final Client client;
        final CompletableFuture<Void> acked = new CompletableFuture<>();
        private volatile Session session;
        private volatile boolean dropped, counted, ackCounted;

        Conn(Client client) {
            this.client = client;
        }

        boolean isOpen() {
            Session s = session;
            return s != null && s.isOpen();
        }

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
            counted = true;
            metrics.connected.incrementAndGet();
        }

        @Override
        public void onWebSocketText(String m) {
            long now = System.nanoTime();
            if (m.contains("\"type\":\"event\"")) {
                client.onEvent(m, now);
            } else if (m.contains("\"type\":\"ack\"")) {
                if (!ackCounted) metrics.subscribed.incrementAndGet();
                ackCounted = true;
                if (client.current == this) {
                    client.subscribedNow = true;
                    client.lastAckNanos = now;
                }
                acked.complete(null);
            } else if (m.contains("\"type\":\"error\"")) {
                String code = String.valueOf(field(m, "code"));
                metrics.error("error frame: " + code);
                acked.completeExceptionally(new SubscribeRefused(code, String.valueOf(field(m, "message"))));
            }
        }

        @Override
        public void onWebSocketClose(int status, String reason, Callback callback) {
            callback.succeed();
            gone();
            if (closing || dropped || client.current != this) return;
            client.subscribedNow = false;
            metrics.error("closed by the server: " + status);
            if (autoReconnect) {
                metrics.reconnects.incrementAndGet();
                attempt(client, true, true, Long.MAX_VALUE, new CompletableFuture<>(), 0);
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            if (closing || dropped || session == null) return;
            metrics.error("socket error: " + cause.getClass().getSimpleName());
        }

        /** Counts the connection down once, however it ended. */
        private synchronized void gone() {
            if (counted) {
                counted = false;
                metrics.connected.decrementAndGet();
            }
            if (ackCounted) {
                ackCounted = false;
                metrics.subscribed.decrementAndGet();
            }
        }

        void send(String text) {
            Session s = session;
            if (s != null && s.isOpen()) s.sendText(text, Callback.NOOP);
        }

        void drop() {
            Session s = session;
            dropped = true;
            if (s != null) s.disconnect();
        }

        void close() {
            Session s = session;
            if (s != null && s.isOpen()) s.close(1000, "load test done", Callback.NOOP);
        }
    }

    /** The value of a top-level string field of a server frame (frames are compact JSON from the gateway). */
    static String field(String json, String name) {
        String key = "\"" + name + "\":\"";
        int i = json.indexOf(key);
        if (i < 0) return null;
        int start = i + key.length();
        int end = json.indexOf('"', start);
        return end < 0 ? null : json.substring(start, end);
    }

    /** Hands out start times for new connections, at most {@code rate} per second. */
    static final class Pacer {
        private final long intervalNanos;
        private long next = System.nanoTime();

        Pacer(double rate) {
            intervalNanos = (long) (1e9 / rate);
        }

        synchronized long nextDelayNanos() {
            long now = System.nanoTime();
            next = Math.max(now, next + intervalNanos);
            return next - now;
        }
    }
}
