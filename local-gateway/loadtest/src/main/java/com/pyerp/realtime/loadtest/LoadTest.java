package com.pyerp.realtime.loadtest;

import com.pyerp.realtime.events.publisher.EventBridgeLimits;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs one scenario against a target and returns its {@link Result}. */
final class LoadTest {
    private final LoadTestOptions o;
    private final Map<String, String> env;
    private final PrintStream progressOut;
    private final Metrics m = new Metrics();
    /** The preflight's event: not part of the figures. */
    private String preflightId = "";

    LoadTest(LoadTestOptions options, Map<String, String> env, PrintStream progressOut) {
        this.o = options;
        this.env = env;
        this.progressOut = progressOut;
    }

    Result run() throws TargetException {
        Instant started = Instant.now();
        Tokens tokens = Tokens.from(o);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadtest-sampler");
            t.setDaemon(true);
            return t;
        });
        Progress progress = new Progress(o, m, progressOut);
        try (Publisher publisher = new Publisher(o, env, m);
                Fleet fleet = new Fleet(o, tokens, m, publisher)) {
            long interval = o.sampleInterval().toMillis();
            sampler.scheduleAtFixedRate(m::sample, interval, interval, TimeUnit.MILLISECONDS);
            if (o.progress()) progress.start();
            Result r = switch (o.scenario()) {
                case CONNECT_STORM -> connectStorm(fleet, started);
                case FANOUT -> fanout(fleet, publisher, started);
                case THROUGHPUT -> throughput(fleet, publisher, started, false);
                case RECONNECT_STORM -> reconnectStorm(fleet, publisher, started);
                case SOAK -> throughput(fleet, publisher, started, true);
            };
            return r;
        } finally {
            progress.stop();
            sampler.shutdownNow();
            m.sample();
        }
    }

    /** Connects the first client synchronously and, for publishing scenarios, checks one event gets through. */
    private void preflight(Fleet fleet, Publisher publisher) throws TargetException {
        fleet.preflight(fleet.clients().get(0));
        if (publisher == null) return;
        List<String> ids = publisher.publish(1);
        if (!ids.isEmpty()) preflightId = ids.get(0);
        if (ids.isEmpty())
            throw new TargetException("PutEvents to " + publisher.endpointDescription + " refused the test event: "
                    + Metrics.snapshot(m.errors));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && !fleet.clients().get(0).seen.contains(ids.get(0))) sleep(10);
        if (!fleet.clients().get(0).seen.contains(ids.get(0)))
            throw new TargetException(
                    "PutEvents accepted the test event but no client received it within 15 s: does --bus ("
                            + o.bus() + ") match the gateway's bus, --tenant (" + o.tenant()
                            + ") the tokens' tenant, and does the EventBridge endpoint ("
                            + publisher.endpointDescription
                            + ") belong to the same deployment as --url?");
        // the preflight event is not part of the figures
        m.resetDeliveries();
    }

    private long deadlineForOpening() {
        return System.nanoTime()
                + (long) (o.clients() / o.connectRate() * 1e9)
                + o.connectTimeout().toNanos()
                + TimeUnit.SECONDS.toNanos(30);
    }

    private Result connectStorm(Fleet fleet, Instant started) throws TargetException {
        fleet.preflight(fleet.clients().get(0));
        long t0 = System.nanoTime();
        fleet.openAll(1, o.clients(), false, false, deadlineForOpening());
        double secs = (System.nanoTime() - t0) / 1e9;
        int open = fleet.openCount();
        Result r = new Result(o.scenario(), o, started, m.elapsedSeconds(), m);
        r.row("clients", "clients", o.clients(), "")
                .row("connected", "connected", open, "")
                .row("refused", "refused", m.refusalCount(), "")
                .row("connectRate", "achieved rate", (o.clients() - 1) / Math.max(1e-3, secs), "connections/s")
                .row("targetRate", "asked rate", o.connectRate(), "connections/s")
                .row("handshakeP50Ms", "handshake p50", m.handshake.percentileMillis(0.5), "ms")
                .row("handshakeP90Ms", "handshake p90", m.handshake.percentileMillis(0.9), "ms")
                .row("handshakeP99Ms", "handshake p99", m.handshake.percentileMillis(0.99), "ms")
                .row("handshakeMaxMs", "handshake max", m.handshake.maxMillis(), "ms");
        r.ok = open == o.clients() && m.errorCount() == 0;
        return r;
    }

    private void openSubscribed(Fleet fleet, Publisher publisher) throws TargetException {
        preflight(fleet, publisher);
        fleet.openAll(1, o.clients(), true, true, deadlineForOpening());
        int subscribed = fleet.subscribedCount();
        if (subscribed < o.clients())
            throw new TargetException(
                    "only " + subscribed + " of " + o.clients() + " clients connected and subscribed: "
                            + Metrics.snapshot(m.refusals) + " " + Metrics.snapshot(m.errors));
    }

    private Result fanout(Fleet fleet, Publisher publisher, Instant started) throws TargetException {
        openSubscribed(fleet, publisher);
        LatencyHistogram toLast = new LatencyHistogram(), toFirst = new LatencyHistogram();
        int complete = 0;
        long lost = 0;
        for (int round = 0; round < o.rounds(); round++) {
            long t0 = System.nanoTime();
            List<String> ids = publisher.publish(1);
            if (ids.isEmpty()) continue;
            String id = ids.get(0);
            long deadline = t0 + o.drain().toNanos() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && receipts(fleet, id) < o.clients()) sleep(2);
            int got = receipts(fleet, id);
            lost += o.clients() - got;
            if (got == o.clients()) complete++;
            Long last = fleet.lastReceiptNanos.get(id);
            if (last != null) toLast.recordNanos(last - t0);
            Long first = fleet.firstReceiptNanos.get(id);
            if (first != null) toFirst.recordNanos(first - t0);
        }
        Result r = new Result(o.scenario(), o, started, m.elapsedSeconds(), m);
        r.row("subscribers", "subscribers", o.clients(), "")
                .row("rounds", "rounds (one event each)", o.rounds(), "")
                .row("roundsComplete", "rounds every subscriber got", complete, "")
                .row("timeToFirstP50Ms", "PutEvents to first receipt, p50", toFirst.percentileMillis(0.5), "ms")
                .row("timeToLastP50Ms", "PutEvents to last receipt, p50", toLast.percentileMillis(0.5), "ms")
                .row("timeToLastMaxMs", "PutEvents to last receipt, max", toLast.maxMillis(), "ms")
                .row("latencyP50Ms", "per-message latency p50", m.latency.percentileMillis(0.5), "ms")
                .row("latencyP99Ms", "per-message latency p99", m.latency.percentileMillis(0.99), "ms")
                .row(
                        "deliveryRate",
                        "delivery rate at the p50 round",
                        o.clients() / Math.max(1e-3, toLast.percentileMillis(0.5) / 1000),
                        "messages/s")
                .row("lost", "lost", lost, "")
                .row("duplicates", "duplicates", m.duplicates.get(), "");
        r.ok = lost == 0 && m.duplicates.get() == 0 && m.errorCount() == 0;
        return r;
    }

    private static int receipts(Fleet fleet, String id) {
        var c = fleet.receipts.get(id);
        return c == null ? 0 : c.get();
    }

    private Result throughput(Fleet fleet, Publisher publisher, Instant started, boolean soak) throws TargetException {
        openSubscribed(fleet, publisher);
        if (soak) fleet.autoReconnect(true);
        long t0 = System.nanoTime();
        long end = t0 + o.duration().toNanos();
        long scheduled = 0;
        long behind = 0;
        while (System.nanoTime() < end) {
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long due = (long) Math.floor(o.eventsPerSecond() * elapsed) - scheduled;
            while (due > 0) {
                int n = (int) Math.min(EventBridgeLimits.MAX_ENTRIES, due);
                if (publisher.publishAsync(n)) scheduled += n;
                else {
                    behind += n;
                    scheduled += n;
                }
                due -= n;
            }
            sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
        // whatever the last tick left due (a late wake-up), so the run publishes events/s x duration
        long total = (long) Math.floor(o.eventsPerSecond() * o.duration().toMillis() / 1000.0);
        while (scheduled < total) {
            int n = (int) Math.min(EventBridgeLimits.MAX_ENTRIES, total - scheduled);
            if (!publisher.publishAsync(n)) behind += n;
            scheduled += n;
        }
        double publishSeconds = (System.nanoTime() - t0) / 1e9;
        try {
            publisher.awaitInFlight(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (behind > 0) m.error("publisher behind schedule (events not sent)");
        long published = m.published.get();
        long expected = published * o.clients();
        long drainEnd = System.nanoTime() + o.drain().toNanos();
        while (System.nanoTime() < drainEnd && m.delivered.get() < expected) sleep(20);
        fleet.autoReconnect(false);
        long received = 0;
        for (var c : fleet.clients()) received += c.seen.size() - (c.seen.contains(preflightId) ? 1 : 0);
        long lost = Math.max(0, expected - received);
        Result r = new Result(o.scenario(), o, started, m.elapsedSeconds(), m);
        r.row("subscribers", "subscribers", o.clients(), "")
                .row("eventsPerSecond", "asked events/s", o.eventsPerSecond(), "")
                .row("published", "events published", published, "")
                .row("publishedPerSecond", "achieved events/s", published / Math.max(1e-3, publishSeconds), "")
                .row("expected", "deliveries expected", expected, "")
                .row("delivered", "deliveries received", received, "")
                .row(
                        "deliveredPerSecond",
                        "deliveries/s (while publishing)",
                        received / Math.max(1e-3, publishSeconds),
                        "messages/s")
                .row("latencyP50Ms", "latency p50", m.latency.percentileMillis(0.5), "ms")
                .row("latencyP90Ms", "latency p90", m.latency.percentileMillis(0.9), "ms")
                .row("latencyP99Ms", "latency p99", m.latency.percentileMillis(0.99), "ms")
                .row("latencyMaxMs", "latency max", m.latency.maxMillis(), "ms")
                .row("lost", "lost", lost, "")
                .row("duplicates", "duplicates", m.duplicates.get(), "");
        if (soak) {
            double[] heap =
                    m.series.stream().mapToDouble(Metrics.Sample::heapMb).toArray();
            r.row("reconnects", "reconnects", m.reconnects.get(), "")
                    .row(
                            "heapMinMb",
                            "load generator heap min",
                            heap.length == 0 ? 0.0 : Arrays.stream(heap).min().getAsDouble(),
                            "MB")
                    .row(
                            "heapMaxMb",
                            "load generator heap max",
                            heap.length == 0 ? 0.0 : Arrays.stream(heap).max().getAsDouble(),
                            "MB");
            r.notes.add(
                    "memory is the load generator's own heap; watch the target's memory in its own monitoring (Lambda: CloudWatch)");
        }
        r.ok = lost == 0 && m.duplicates.get() == 0 && m.errorCount() == 0;
        return r;
    }

    private Result reconnectStorm(Fleet fleet, Publisher publisher, Instant started) throws TargetException {
        openSubscribed(fleet, publisher);
        long acksBefore = 0;
        for (var c : fleet.clients()) acksBefore = Math.max(acksBefore, c.lastAckNanos);
        long drop = System.nanoTime();
        fleet.dropAll();
        // an event published while every client is away: without server-side recovery nobody can get it
        List<String> gap = publisher.publish(1);
        fleet.openAll(0, o.clients(), true, true, deadlineForOpening());
        int back = fleet.subscribedCount();
        LatencyHistogram resubscribe = new LatencyHistogram();
        long lastAck = drop;
        for (var c : fleet.clients()) {
            if (c.subscribedNow && c.lastAckNanos > drop) {
                resubscribe.recordNanos(c.lastAckNanos - drop);
                lastAck = Math.max(lastAck, c.lastAckNanos);
            }
        }
        // after the storm: one event must reach every client
        List<String> after = publisher.publish(1);
        long deadline = System.nanoTime() + o.drain().toNanos() + TimeUnit.SECONDS.toNanos(20);
        String id = after.isEmpty() ? null : after.get(0);
        while (id != null && System.nanoTime() < deadline && receipts(fleet, id) < o.clients()) sleep(5);
        int got = id == null ? 0 : receipts(fleet, id);
        int gapGot = gap.isEmpty() ? 0 : receipts(fleet, gap.get(0));
        Result r = new Result(o.scenario(), o, started, m.elapsedSeconds(), m);
        r.row("clients", "clients dropped at once", o.clients(), "")
                .row("resubscribed", "back and resubscribed", back, "")
                .row("allResubscribedMs", "drop to last resubscribed", (lastAck - drop) / 1e6, "ms")
                .row("resubscribeP50Ms", "drop to resubscribed, p50", resubscribe.percentileMillis(0.5), "ms")
                .row("resubscribeP99Ms", "drop to resubscribed, p99", resubscribe.percentileMillis(0.99), "ms")
                .row("refusedDuringStorm", "handshakes refused and retried", m.refusalCount(), "")
                .row("receivedAfter", "event after the storm received by", got, "clients")
                .row("lost", "lost (event after the storm)", (long) o.clients() - got, "")
                .row("receivedDuringGap", "event published during the drop received by", gapGot, "clients")
                .row("duplicates", "duplicates", m.duplicates.get(), "");
        r.notes.add("the event published during the drop reaches only the clients that were back and subscribed"
                + " before it was dispatched; the others need server-side history and recovery on reconnect");
        r.ok = back == o.clients() && got == o.clients() && m.duplicates.get() == 0;
        return r;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Collects the arguments used, for the report's "command" line. */
    static String command(List<String> args) {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            shown.add(args.get(i));
            if (args.get(i).equals("--token") && i + 1 < args.size()) {
                shown.add("<redacted>");
                i++;
            }
        }
        return String.join(" ", shown);
    }
}
