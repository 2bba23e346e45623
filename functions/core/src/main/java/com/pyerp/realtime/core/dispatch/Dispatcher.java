package com.pyerp.realtime.core.dispatch;

import com.pyerp.realtime.core.history.ChannelHistory;
import com.pyerp.realtime.core.history.Publication;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.ChannelKey;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.Subscriber;
import com.pyerp.realtime.events.Envelope;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.EventDefinition;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * Delivers ERP events to the connections subscribed to their channels.
 *
 * <p>Per event: dedupe on the EventBridge id; look the type up in the catalog and validate the detail
 * (invalid events are counted, logged and reported, never delivered); drop it when a later event with the
 * same coalescing key was already delivered (and, within one batch, keep only the latest per key); resolve the
 * channels from the detail; stream each channel's subscribers from the registry; format the envelope once per
 * (channel, visibility) and post it with at most {@code concurrency} posts in flight. 410 removes the
 * connection from the registry; throttling is retried with backoff; other failures are logged and counted.
 */
public final class Dispatcher implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.get(Dispatcher.class);
    private static final int THROTTLE_RETRIES = 3;

    private final EventCatalog catalog;
    private final ConnectionRegistry registry;
    private final ConnectionSender sender;
    private final ChannelHistory history;
    private final Clock clock;
    private final int concurrency;
    private final ExecutorService pool;
    private final RecentIds delivered;
    /** Per coalescing window (ms): the time of the latest delivered event per key, remembered for that window. */
    /** The latest orderBy delivered per coalescing key, kept as long as event ids are (a straggler is stale for that long). */
    private final RecentIds latestByKey;

    public Dispatcher(
            EventCatalog catalog,
            ConnectionRegistry registry,
            ConnectionSender sender,
            Clock clock,
            int concurrency,
            Duration dedupWindow) {
        this(catalog, registry, null, sender, clock, concurrency, dedupWindow);
    }

    /**
     * @param history where events of channels with history are numbered and kept before they are fanned out; null:
     *                no history (event frames carry no offset)
     */
    public Dispatcher(
            EventCatalog catalog,
            ConnectionRegistry registry,
            ChannelHistory history,
            ConnectionSender sender,
            Clock clock,
            int concurrency,
            Duration dedupWindow) {
        this.history = history;
        this.catalog = catalog;
        this.registry = registry;
        this.sender = sender;
        this.clock = clock;
        this.concurrency = concurrency;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "dispatch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.delivered = new RecentIds(dedupWindow, 100_000);
        this.latestByKey = new RecentIds(dedupWindow, 100_000);
    }

    /** Dispatches one EventBridge event. */
    public DispatchReport dispatch(ErpEvent event) {
        return dispatch(List.of(event));
    }

    /** Dispatches a batch; events sharing a coalescing key collapse to the latest. */
    public DispatchReport dispatch(List<ErpEvent> events) {
        Counters c = new Counters();
        c.events = events.size();
        Instant now = clock.instant();
        List<Resolved> valid = new ArrayList<>();
        for (ErpEvent e : events) {
            EventDefinition def = catalog.find(e.source(), e.detailType()).orElse(null);
            if (def == null) {
                invalid(c, e, "unknown event type: source " + e.source() + ", detail-type " + e.detailType());
                continue;
            }
            List<String> errors = def.validate(e.detail());
            if (!errors.isEmpty()) {
                invalid(c, e, "schema validation failed: " + String.join("; ", errors));
                continue;
            }
            valid.add(new Resolved(e, def));
        }
        // Within the batch, keep the latest event per coalescing key.
        Map<String, Resolved> latest = new LinkedHashMap<>();
        List<Resolved> toSend = new ArrayList<>();
        for (Resolved r : valid) {
            String key = r.def.coalesceKey(r.event.detail())
                    .map(k -> tenantOf(r) + "|" + k)
                    .orElse(null);
            if (key == null) {
                toSend.add(r);
                continue;
            }
            Resolved prev = latest.get(key);
            if (prev == null || !r.order().isBefore(prev.order())) {
                if (prev != null) c.coalesced++;
                latest.put(key, r);
            } else {
                c.coalesced++;
            }
        }
        toSend.addAll(latest.values());
        for (Resolved r : toSend) {
            try {
                deliver(r, c, now);
            } catch (RuntimeException ex) {
                // the rest of the batch goes on; this event is reported for a retry (its id was forgotten)
                c.failedEventIds.add(r.event.id());
                LOG.error(
                        "dispatch of an event failed",
                        ex,
                        "eventId",
                        r.event.id(),
                        "correlationId",
                        r.event.correlationId());
            }
        }
        DispatchReport report = c.report();
        LOG.metrics(report.metrics());
        LOG.info(
                "dispatch finished",
                "events",
                report.events(),
                "invalid",
                report.invalid(),
                "duplicates",
                report.duplicates(),
                "coalesced",
                report.coalesced(),
                "recipients",
                report.recipients(),
                "delivered",
                report.delivered(),
                "gone",
                report.gone(),
                "failed",
                report.failed());
        return report;
    }

    private void deliver(Resolved r, Counters c, Instant now) {
        ErpEvent e = r.event;
        if (!delivered.firstTime(e.id(), now)) {
            c.duplicates++;
            LOG.info("duplicate event skipped", "eventId", e.id(), "correlationId", e.correlationId());
            return;
        }
        var coalesce = r.def.coalesce();
        String key =
                r.def.coalesceKey(e.detail()).map(k -> tenantOf(r) + "|" + k).orElse(null);
        if (key != null && coalesce.isPresent()) {
            RecentIds latest = latestByKey;
            if (!latest.putIfNotOlder(key, r.order(), now)) {
                c.coalesced++;
                LOG.info(
                        "superseded event dropped",
                        "eventId",
                        e.id(),
                        "coalesceKey",
                        key,
                        "correlationId",
                        e.correlationId());
                return;
            }
        }
        String tenant = tenantOf(r);
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("correlationId", e.correlationId());
        ctx.put("eventId", e.id());
        JsonLog.withContext(ctx, () -> {
            try {
                fanOut(r, tenant, c, now);
            } catch (RuntimeException ex) {
                delivered.forget(e.id());
                throw ex;
            }
        });
    }

    private void fanOut(Resolved r, String tenant, Counters c, Instant now) {
        Semaphore inFlight = new Semaphore(concurrency);
        Map<String, Object> ctx = new HashMap<>(JsonLog.context());
        try {
            fanOut(r, tenant, c, now, inFlight, ctx);
        } finally {
            // every post started is finished (or failed and counted) before this returns, also when the registry failed
            inFlight.acquireUninterruptibly(concurrency);
        }
        LOG.info("event fanned out", "source", r.event.source(), "detailType", r.event.detailType(), "tenant", tenant);
    }

    private void fanOut(
            Resolved r, String tenant, Counters c, Instant now, Semaphore inFlight, Map<String, Object> ctx) {
        for (String channel : r.def.channelsFor(r.event.detail())) {
            Publication stamp = appendToHistory(r, tenant, channel, now);
            Map<String, byte[]> payloadByVisibility = new ConcurrentHashMap<>();
            try (Stream<Subscriber> subs = registry.subscribers(ChannelKey.of(tenant, channel), now)) {
                subs.forEach(sub -> {
                    byte[] payload = payloadByVisibility.computeIfAbsent(
                            r.def.visibilityKey(sub.roles()), v -> envelope(r, channel, sub, stamp));
                    c.recipients.incrementAndGet();
                    inFlight.acquireUninterruptibly();
                    try {
                        pool.execute(() -> {
                            try {
                                JsonLog.withContext(ctx, () -> post(sub, payload, c));
                            } finally {
                                inFlight.release();
                            }
                        });
                    } catch (RuntimeException ex) {
                        inFlight.release();
                        throw ex;
                    }
                });
            }
        }
    }

    private void post(Subscriber sub, byte[] payload, Counters c) {
        ConnectionSender.Outcome out = send(sub, payload);
        for (int attempt = 1;
                out.status() == ConnectionSender.Status.THROTTLED && attempt <= THROTTLE_RETRIES;
                attempt++) {
            sleep(25L << attempt);
            out = send(sub, payload);
        }
        switch (out.status()) {
            case DELIVERED -> c.delivered.incrementAndGet();
            case GONE -> {
                c.gone.incrementAndGet();
                try {
                    registry.remove(sub.connectionId());
                    LOG.info("stale connection removed", "connectionId", sub.connectionId());
                } catch (RuntimeException ex) {
                    LOG.error("could not remove a gone connection", ex, "connectionId", sub.connectionId());
                }
            }
            default -> {
                c.failed.incrementAndGet();
                LOG.warn(
                        "post failed",
                        "connectionId",
                        sub.connectionId(),
                        "status",
                        out.status().name(),
                        "detail",
                        out.detail());
            }
        }
    }

    /** One post. A sender must report failures, not throw; one that throws anyway counts as FAILED, not as lost. */
    private ConnectionSender.Outcome send(Subscriber sub, byte[] payload) {
        try {
            return sender.send(sub.connectionId(), payload);
        } catch (RuntimeException e) {
            return new ConnectionSender.Outcome(ConnectionSender.Status.FAILED, e.toString());
        }
    }

    private byte[] envelope(Resolved r, String channel, Subscriber sub, Publication stamp) {
        ErpEvent e = r.event;
        if (stamp != null) {
            return Envelope.eventFrame(
                            channel,
                            e.detailType(),
                            e.source(),
                            e.id(),
                            e.time().toString(),
                            e.correlationId(),
                            r.def.visibleTo(e.detail(), sub.roles()),
                            stamp.offset(),
                            stamp.epoch())
                    .toString()
                    .getBytes(StandardCharsets.UTF_8);
        }
        return Envelope.eventFrameJson(
                        channel,
                        e.detailType(),
                        e.source(),
                        e.id(),
                        e.time().toString(),
                        e.correlationId(),
                        r.def.visibleTo(e.detail(), sub.roles()))
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * History step, before the fan-out of one channel: when the channel's family keeps history, the event is numbered
     * with the channel's next offset and kept (docs/protocol.md, "Recovery"); null when the channel keeps none. A
     * failure here fails the event (retried, like a failed fan-out): an event is never delivered without its offset.
     */
    private Publication appendToHistory(Resolved r, String tenant, String channel, Instant now) {
        if (history == null) return null;
        var policy = catalog.matchChannel(channel).flatMap(m -> m.family().historyPolicy());
        if (policy.isEmpty()) return null;
        ErpEvent e = r.event;
        Publication p = history.append(
                ChannelKey.of(tenant, channel),
                Publication.draft(
                        e.id(),
                        e.source(),
                        e.detailType(),
                        e.time().toString(),
                        e.correlationId(),
                        e.detail().toString()),
                now,
                Duration.ofSeconds(policy.get().ttlSeconds()));
        LOG.info("event kept in history", "channel", channel, "offset", p.offset(), "epoch", p.epoch());
        return p;
    }

    private String tenantOf(Resolved r) {
        JsonNode t = r.event.detail().get(catalog.tenantField());
        return t == null ? "" : t.asString();
    }

    private void invalid(Counters c, ErpEvent e, String reason) {
        c.invalid++;
        c.invalidReasons.add(e.id() + ": " + reason);
        c.failedEventIds.add(e.id());
        LOG.warn(
                "invalid event not delivered",
                "eventId",
                e.id(),
                "source",
                e.source(),
                "detailType",
                e.detailType(),
                "correlationId",
                e.correlationId(),
                "reason",
                reason);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        if (sender instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("sender did not close cleanly", "error", e.toString());
            }
        }
    }

    private record Resolved(ErpEvent event, EventDefinition def) {
        /** When the ERP says it happened (the catalog's orderBy field), else EventBridge's time. */
        Instant order() {
            return def.orderOf(event.detail()).orElse(event.time());
        }
    }

    private static final class Counters {
        int events, invalid, duplicates, coalesced;
        final AtomicInteger recipients = new AtomicInteger();
        final AtomicInteger delivered = new AtomicInteger();
        final AtomicInteger gone = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final List<String> invalidReasons = new ArrayList<>();
        final List<String> failedEventIds = new ArrayList<>();

        DispatchReport report() {
            return new DispatchReport(
                    events,
                    invalid,
                    duplicates,
                    coalesced,
                    recipients.get(),
                    delivered.get(),
                    gone.get(),
                    failed.get(),
                    invalidReasons,
                    failedEventIds);
        }
    }
}
