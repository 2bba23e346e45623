package com.pyerp.realtime.loadtest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Everything a run counts, updated from many threads; {@link #sample} appends one point of the time series. */
final class Metrics {
    final long startNanos = System.nanoTime();
    final AtomicInteger connected = new AtomicInteger();
    final AtomicInteger subscribed = new AtomicInteger();
    final AtomicLong connects = new AtomicLong();
    final AtomicLong reconnects = new AtomicLong();
    final AtomicLong published = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final LatencyHistogram latency = new LatencyHistogram();
    final LatencyHistogram handshake = new LatencyHistogram();
    private final AtomicReference<LatencyHistogram> interval = new AtomicReference<>(new LatencyHistogram());
    /** Refused handshakes by cause ("HTTP 429", "timeout", ...). */
    final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
    /** Other errors by kind ("closed by the server: 1006", "PutEvents: ThrottlingException", ...). */
    final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();

    final List<Sample> series = new CopyOnWriteArrayList<>();
    private long lastDelivered, lastPublished, lastSampleNanos = startNanos;

    /** One point of the time series. Rates are per second over the interval since the previous point. */
    record Sample(
            double t,
            int connected,
            double deliveredPerSecond,
            double publishedPerSecond,
            double p50Ms,
            double p99Ms,
            long errors,
            double heapMb) {}

    void latency(long nanos) {
        latency.recordNanos(nanos);
        interval.get().recordNanos(nanos);
        delivered.incrementAndGet();
    }

    /** Forgets the deliveries of the preflight event: they are not part of the figures. */
    void resetDeliveries() {
        delivered.set(0);
        published.set(0);
        latency.reset();
        interval.get().reset();
    }

    void refused(String cause) {
        refusals.computeIfAbsent(cause, k -> new AtomicLong()).incrementAndGet();
    }

    void error(String kind) {
        errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(AtomicLong::get).sum();
    }

    long refusalCount() {
        return refusals.values().stream().mapToLong(AtomicLong::get).sum();
    }

    static Map<String, Long> snapshot(Map<String, AtomicLong> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    synchronized Sample sample() {
        long now = System.nanoTime();
        double dt = Math.max(1e-3, (now - lastSampleNanos) / 1e9);
        long d = delivered.get(), p = published.get();
        LatencyHistogram h = interval.getAndSet(new LatencyHistogram());
        Runtime rt = Runtime.getRuntime();
        Sample s = new Sample(
                (now - startNanos) / 1e9,
                connected.get(),
                (d - lastDelivered) / dt,
                (p - lastPublished) / dt,
                h.percentileMillis(0.50),
                h.percentileMillis(0.99),
                errorCount() + refusalCount(),
                (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0));
        lastDelivered = d;
        lastPublished = p;
        lastSampleNanos = now;
        series.add(s);
        return s;
    }
}
