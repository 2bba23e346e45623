package com.pyerp.realtime.loadtest;

import com.pyerp.realtime.events.publisher.EventBridgeLimits;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClientBuilder;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/**
 * Publishes the run's events with the EventBridge SDK: MaintenanceNotice on the broadcast channel of the run's
 * tenant, each with its own correlation id ({@code lt-<run>-<seq>} in {@code detail._meta}) that comes back in
 * every delivered frame, so receipts are matched to send times. Endpoint from {@code AWS_ENDPOINT_URL_EVENTBRIDGE}
 * or {@code AWS_ENDPOINT_URL}; credentials from the SDK's default chain.
 */
final class Publisher implements AutoCloseable {
    private final EventBridgeClient client;
    private final String bus;
    private final String tenant;
    private final Metrics metrics;
    private final String prefix = "lt-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final AtomicLong seq = new AtomicLong();
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "loadtest-publisher");
        t.setDaemon(true);
        return t;
    });
    final String endpointDescription;

    Publisher(LoadTestOptions o, Map<String, String> env, Metrics metrics) {
        this.bus = o.bus();
        this.tenant = o.tenant();
        this.metrics = metrics;
        String endpoint = firstNonBlank(env.get("AWS_ENDPOINT_URL_EVENTBRIDGE"), env.get("AWS_ENDPOINT_URL"));
        EventBridgeClientBuilder b = EventBridgeClient.builder()
                .region(Region.of(o.region()))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(credentials(endpoint));
        if (endpoint != null) b.endpointOverride(URI.create(endpoint));
        client = b.build();
        endpointDescription =
                endpoint != null ? endpoint : "EventBridge in " + o.region() + " (no AWS_ENDPOINT_URL set)";
    }

    /**
     * The SDK's default chain; for a loopback endpoint (the local gateway) without any credentials configured, fixed
     * dummy ones, since the local gateway does not check them.
     */
    private static AwsCredentialsProvider credentials(String endpoint) {
        DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
        if (endpoint == null || !isLoopback(endpoint)) return chain;
        try {
            chain.resolveCredentials();
            return chain;
        } catch (SdkException none) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("loadtest", "loadtest"));
        }
    }

    private static boolean isLoopback(String endpoint) {
        try {
            String host = URI.create(endpoint).getHost();
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (Exception e) {
            return false;
        }
    }

    String prefix() {
        return prefix;
    }

    Long sentAt(String correlationId) {
        return sentAt.get(correlationId);
    }

    /** Publishes {@code n} events now (in calls of up to 10) and returns the correlation ids EventBridge accepted. */
    List<String> publish(int n) throws TargetException {
        List<String> accepted = new ArrayList<>();
        for (int done = 0; done < n; done += EventBridgeLimits.MAX_ENTRIES) {
            accepted.addAll(call(Math.min(EventBridgeLimits.MAX_ENTRIES, n - done)));
        }
        return accepted;
    }

    /** Publishes {@code n} events (n ≤ 10) on the publisher pool; false if the pool is behind schedule. */
    boolean publishAsync(int n) {
        if (pool.getQueue().size() > 100) return false;
        pool.execute(() -> {
            try {
                call(n);
            } catch (TargetException e) {
                metrics.error("PutEvents: " + e.getMessage());
            }
        });
        return true;
    }

    /** Waits for the asynchronous calls in flight. */
    void awaitInFlight(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while ((pool.getActiveCount() > 0 || !pool.getQueue().isEmpty()) && System.nanoTime() < deadline)
            Thread.sleep(20);
    }

    private List<String> call(int n) throws TargetException {
        List<PutEventsRequestEntry> entries = new ArrayList<>(n);
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = prefix + seq.incrementAndGet();
            ids.add(id);
            entries.add(PutEventsRequestEntry.builder()
                    .eventBusName(bus)
                    .source("pyerp.system")
                    .detailType("MaintenanceNotice")
                    .detail("{\"tenantId\":\"" + tenant + "\",\"message\":\"pyERP Realtime load test\","
                            + "\"_meta\":{\"correlationId\":\"" + id + "\",\"producer\":\"realtime-loadtest\"}}")
                    .build());
        }
        long t0 = System.nanoTime();
        for (String id : ids) sentAt.put(id, t0);
        PutEventsResponse response;
        try {
            response = client.putEvents(r -> r.entries(entries));
        } catch (SdkException e) {
            ids.forEach(sentAt::remove);
            throw new TargetException(
                    "PutEvents to " + endpointDescription + " failed: " + e.getMessage()
                            + " (credentials: the SDK's default chain; endpoint: AWS_ENDPOINT_URL_EVENTBRIDGE or AWS_ENDPOINT_URL)",
                    e);
        }
        List<String> accepted = new ArrayList<>(n);
        List<PutEventsResultEntry> results = response.entries();
        for (int i = 0; i < ids.size(); i++) {
            PutEventsResultEntry r = i < results.size() ? results.get(i) : null;
            if (r != null && r.errorCode() == null) {
                accepted.add(ids.get(i));
            } else {
                sentAt.remove(ids.get(i));
                metrics.error("PutEvents entry: " + (r == null ? "no result" : r.errorCode()));
            }
        }
        metrics.published.addAndGet(accepted.size());
        return accepted;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v;
        return null;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        client.close();
    }
}
