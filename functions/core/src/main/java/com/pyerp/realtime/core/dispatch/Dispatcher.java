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
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.events.Tenants;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Delivers ERP events to the connections subscribed to their channels.
 *
 * <p>Per event: dedupe on the EventBridge id; look the type up in the catalog and validate the detail
 * (invalid events are counted, logged and reported, never delivered); drop it when a later event with the
 * same coalescing key was already delivered (and, within one batch, keep only the latest per key); throttle each
 * coalescing key to one delivery per window, leading and trailing edge ({@link CoalescingThrottle}: a held event is
 * reported in {@link DispatchReport#heldEventIds()} for its caller to dispatch again when the window ends); resolve the
 * channels from the detail; stream each channel's subscribers from the registry; format the envelope once per
 * (channel, visibility) and post it without blocking ({@link FanOut}: adaptive concurrency, throttled posts retried
 * with full jitter until a deadline, see {@link FanOutPolicy}). 410 queues the connection's removal from the registry
 * ({@link GoneCleanup}, off the fan-out's path); other failures are logged and counted. A channel larger than a page
 * is scattered across parallel invocations when a {@link ScatterSink} is given ({@link FanOutPages}).
 */
public final class Dispatcher implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.get(Dispatcher.class);
    /** The longest an invocation waits for queued gone-connection removals before it returns. */
    private static final Duration CLEANUP_WAIT = Duration.ofSeconds(10);

    private final EventCatalog catalog;
    private final ConnectionRegistry registry;
    private final ConnectionSender sender;
    private final ChannelHistory history;
    private final Clock clock;
    private final FanOutPolicy policy;
    private final Random jitter;
    private final ScatterSink scatter;
    private final int pageSize;
    private final GoneCleanup cleanup;
    private final RecentIds delivered;
    /**
     * The latest orderBy delivered or held per coalescing key, kept as long as event ids are (a straggler is stale for
     * that long, and a held event is dropped when a newer one of its key came while it waited).
     */
    private final RecentIds latestByKey;
    /** One delivery per key and window: the catalog's {@code windowMillis}, leading and trailing edge. */
    private final CoalescingThrottle throttle = new CoalescingThrottle(100_000);

    /** A dispatcher without scatter, at most {@code concurrency} posts in flight (the default {@link FanOutPolicy}). */
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
     * A dispatcher without scatter that keeps history.
     *
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
        this(
                catalog,
                registry,
                history,
                sender,
                clock,
                FanOutPolicy.of(concurrency),
                dedupWindow,
                null,
                FanOutPages.PAGE_SIZE);
    }

    /** A dispatcher with scatter and without history. */
    public Dispatcher(
            EventCatalog catalog,
            ConnectionRegistry registry,
            ConnectionSender sender,
            Clock clock,
            FanOutPolicy policy,
            Duration dedupWindow,
            ScatterSink scatter,
            int pageSize) {
        this(catalog, registry, null, sender, clock, policy, dedupWindow, scatter, pageSize);
    }

    /**
     * @param scatter  where page tasks of channels over {@code pageSize} subscribers go; null: no scatter (one
     *                 invocation posts to the whole channel)
     * @param pageSize subscribers per page ({@link FanOutPages#PAGE_SIZE} unless configured)
     * @param history  see {@link #Dispatcher(EventCatalog, ConnectionRegistry, ChannelHistory, ConnectionSender,
     *                 Clock, int, Duration)}; page tasks carry the coordinator's offset, so pages never number again
     */
    public Dispatcher(
            EventCatalog catalog,
            ConnectionRegistry registry,
            ChannelHistory history,
            ConnectionSender sender,
            Clock clock,
            FanOutPolicy policy,
            Duration dedupWindow,
            ScatterSink scatter,
            int pageSize) {
        if (pageSize < 1) throw new IllegalArgumentException("pageSize must be positive");
        this.history = history;
        this.catalog = catalog;
        this.registry = registry;
        this.sender = sender;
        this.clock = clock;
        this.policy = policy;
        this.jitter = new Random(policy.seed());
        this.scatter = scatter;
        this.pageSize = pageSize;
        this.cleanup = new GoneCleanup(registry);
        this.delivered = new RecentIds(dedupWindow, 100_000);
        this.latestByKey = new RecentIds(dedupWindow, 100_000);
    }

    /** Dispatches one EventBridge event. */
    public DispatchReport dispatch(DeliveredEvent event) {
        return dispatch(List.of(event));
    }

    /** Dispatches a batch; events sharing a coalescing key collapse to the latest. */
    public DispatchReport dispatch(List<DeliveredEvent> events) {
        Counters c = new Counters();
        c.events = events.size();
        Instant now = clock.instant();
        List<Resolved> valid = new ArrayList<>();
        for (DeliveredEvent e : events) {
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
            if (Tenants.ofEvent(catalog, e.detail()).isEmpty()) {
                // every schema requires the tenant field with the tenant rule's pattern (CatalogVerifier), so a valid
                // event has one; this keeps an event without a tenant from ever reaching a channel key
                invalid(c, e, "no valid " + catalog.tenantField() + " (" + Tenants.RULE + ")");
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
                if (r.admission != null) throttle.undo(r.coalesceKey, r.admission);
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
        awaitCleanup();
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
                report.failed(),
                "held",
                report.heldEventIds().size());
        return report;
    }

    private void deliver(Resolved r, Counters c, Instant now) {
        DeliveredEvent e = r.event;
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
            CoalescingThrottle.Admission admission =
                    throttle.admit(key, Duration.ofMillis(coalesce.get().windowMillis()), now);
            if (!admission.sendNow()) {
                // trailing edge: not delivered now, not a duplicate when it comes back
                delivered.forget(e.id());
                c.held.put(e.id(), admission.holdFor());
                LOG.info(
                        "event held until its coalescing window ends",
                        "eventId",
                        e.id(),
                        "coalesceKey",
                        key,
                        "holdMillis",
                        admission.holdFor().toMillis(),
                        "correlationId",
                        e.correlationId());
                return;
            }
            r.coalesceKey = key;
            r.admission = admission;
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
        Map<String, Object> ctx = new HashMap<>(JsonLog.context());
        FanOut f = new FanOut(sender, policy, jitter, id -> cleanup.add(id, ctx), ctx);
        int pageLimit = scatter == null ? Integer.MAX_VALUE : pageSize;
        try (ChannelPosts posts = new ChannelPosts(r, tenant, now, pageLimit, c)) {
            try {
                f.run(posts);
            } finally {
                c.add(f);
            }
        }
        if (f.expired.get() > 0)
            throw new IllegalStateException(
                    f.expired.get() + " posts were still throttled at the deadline; the event is retried");
        LOG.info(
                "event fanned out",
                "source",
                r.event.source(),
                "detailType",
                r.event.detailType(),
                "tenant",
                tenant,
                "recipients",
                f.recipients.get(),
                "throttled",
                f.throttled.get(),
                "maxInFlight",
                f.maxInFlight(),
                "pages",
                c.pages);
    }

    /**
     * Dispatches one page task of a scattered channel ({@link FanOutPages}): the page's subscribers get the event, as
     * from the coordinator. Deduplicated on the page; a page that fails (registry-free, so only posts still throttled
     * at the deadline or a sender bug) is reported in {@link DispatchReport#failedEventIds()} for a retry.
     */
    public DispatchReport dispatchPage(FanOutPages.PageTask task) {
        Counters c = new Counters();
        c.events = 1;
        Instant now = clock.instant();
        DeliveredEvent e = task.event();
        EventDefinition def = catalog.find(e.source(), e.detailType()).orElse(null);
        if (def == null) {
            invalid(c, e, "unknown event type: source " + e.source() + ", detail-type " + e.detailType());
            return c.report();
        }
        Map<String, Object> ctx = new HashMap<>(JsonLog.context());
        ctx.put("correlationId", e.correlationId());
        ctx.put("eventId", e.id());
        ctx.put("page", task.page());
        if (!delivered.firstTime(task.id(), now)) {
            c.duplicates++;
            JsonLog.withContext(ctx, () -> LOG.info("duplicate page skipped", "channel", task.channel()));
            return c.report();
        }
        Resolved r = new Resolved(e, def);
        JsonLog.withContext(ctx, () -> {
            FanOut f = new FanOut(sender, policy, jitter, id -> cleanup.add(id, ctx), ctx);
            Map<String, byte[]> payloadByVisibility = new HashMap<>();
            Iterator<Subscriber> subs = task.subscribers().iterator();
            try {
                f.run(new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return subs.hasNext();
                    }

                    @Override
                    public FanOut.Post next() {
                        Subscriber sub = subs.next();
                        byte[] payload = payloadByVisibility.computeIfAbsent(
                                def.visibilityKey(sub.roles()), v -> envelope(r, task.channel(), sub, task.stamp()));
                        return new FanOut.Post(sub.connectionId(), payload);
                    }
                });
            } finally {
                c.add(f);
            }
            if (f.expired.get() > 0) {
                delivered.forget(task.id());
                c.failedEventIds.add(e.id());
                LOG.error(
                        "fan-out page failed; it is retried",
                        null,
                        "channel",
                        task.channel(),
                        "stillThrottled",
                        f.expired.get());
            } else {
                LOG.info(
                        "page fanned out",
                        "channel",
                        task.channel(),
                        "recipients",
                        f.recipients.get(),
                        "throttled",
                        f.throttled.get(),
                        "maxInFlight",
                        f.maxInFlight());
            }
        });
        awaitCleanup();
        DispatchReport report = c.report();
        LOG.metrics(report.metrics());
        return report;
    }

    /**
     * The posts of one event: its channels one after the other, each streamed from the registry. With scatter, once
     * {@code pageLimit} subscribers of a channel have been taken, the rest of that channel goes to page tasks.
     */
    private final class ChannelPosts implements Iterator<FanOut.Post>, AutoCloseable {
        private final Resolved r;
        private final String tenant;
        private final Instant now;
        private final int pageLimit;
        private final Counters c;
        private final Iterator<String> channels;
        private String channel;
        private Publication stamp;
        private Stream<Subscriber> stream;
        private Iterator<Subscriber> subs;
        private Map<String, byte[]> payloadByVisibility;
        private int taken;

        ChannelPosts(Resolved r, String tenant, Instant now, int pageLimit, Counters c) {
            this.r = r;
            this.tenant = tenant;
            this.now = now;
            this.pageLimit = pageLimit;
            this.c = c;
            this.channels = r.def.channelsFor(r.event.detail()).iterator();
        }

        @Override
        public boolean hasNext() {
            while (true) {
                if (subs != null) {
                    if (subs.hasNext()) {
                        if (taken < pageLimit) return true;
                        int[] scattered =
                                FanOutPages.scatter(r.event, tenant, channel, stamp, subs, pageLimit, scatter);
                        c.pages += scattered[0];
                        c.scattered += scattered[1];
                        LOG.info(
                                "channel scattered",
                                "channel",
                                channel,
                                "pages",
                                scattered[0],
                                "subscribers",
                                scattered[1]);
                    }
                    closeStream();
                }
                if (!channels.hasNext()) return false;
                channel = channels.next();
                stamp = appendToHistory(r, tenant, channel, now);
                stream = registry.subscribers(ChannelKey.of(tenant, channel), now);
                subs = stream.iterator();
                payloadByVisibility = new HashMap<>();
                taken = 0;
            }
        }

        @Override
        public FanOut.Post next() {
            if (!hasNext()) throw new java.util.NoSuchElementException();
            Subscriber sub = subs.next();
            taken++;
            byte[] payload = payloadByVisibility.computeIfAbsent(
                    r.def.visibilityKey(sub.roles()), v -> envelope(r, channel, sub, stamp));
            return new FanOut.Post(sub.connectionId(), payload);
        }

        private void closeStream() {
            Stream<Subscriber> s = stream;
            stream = null;
            subs = null;
            if (s != null) s.close();
        }

        @Override
        public void close() {
            closeStream();
        }
    }

    private void awaitCleanup() {
        if (!cleanup.flush(CLEANUP_WAIT))
            LOG.warn(
                    "gone connections still being removed when the invocation ends",
                    "waitedMillis",
                    CLEANUP_WAIT.toMillis());
    }

    private byte[] envelope(Resolved r, String channel, Subscriber sub, Publication stamp) {
        DeliveredEvent e = r.event;
        var frame = Envelope.eventFrame(
                channel,
                e.detailType(),
                e.source(),
                e.id(),
                e.time().toString(),
                e.correlationId(),
                r.def.visibleTo(e.detail(), sub.roles()));
        if (stamp != null) Envelope.withPosition(frame, stamp.offset(), stamp.epoch());
        return Json.mapper().writeValueAsBytes(frame);
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
        DeliveredEvent e = r.event;
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

    /** The tenant of a resolved event: present, since {@link #dispatch(List)} refuses an event without one. */
    private String tenantOf(Resolved r) {
        return Tenants.ofEvent(catalog, r.event.detail()).orElseThrow();
    }

    private void invalid(Counters c, DeliveredEvent e, String reason) {
        c.invalid++;
        c.invalidReasons.add(e.id() + ": " + reason);
        c.failedEventIds.add(e.id());
        c.invalidEventIds.add(e.id());
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

    @Override
    public void close() {
        cleanup.close();
        if (sender instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("sender did not close cleanly", "error", e.toString());
            }
        }
    }

    private static final class Resolved {
        final DeliveredEvent event;
        final EventDefinition def;
        /** Set when the throttle admitted this event for delivery, so a failed delivery can be taken back. */
        String coalesceKey;

        CoalescingThrottle.Admission admission;

        Resolved(DeliveredEvent event, EventDefinition def) {
            this.event = event;
            this.def = def;
        }

        /** When the ERP says it happened (the catalog's orderBy field), else EventBridge's time. */
        Instant order() {
            return def.orderOf(event.detail()).orElse(event.time());
        }
    }

    private static final class Counters {
        int events, invalid, duplicates, coalesced, pages, scattered;
        int recipients, delivered, gone, failed;
        final List<String> invalidReasons = new ArrayList<>();
        final List<String> failedEventIds = new ArrayList<>();
        final List<String> invalidEventIds = new ArrayList<>();
        final Map<String, Duration> held = new LinkedHashMap<>();

        void add(FanOut f) {
            recipients += f.recipients.get();
            delivered += f.delivered.get();
            gone += f.gone.get();
            failed += f.failed.get();
        }

        DispatchReport report() {
            return new DispatchReport(
                    events,
                    invalid,
                    duplicates,
                    coalesced,
                    recipients,
                    delivered,
                    gone,
                    failed,
                    invalidReasons,
                    failedEventIds,
                    invalidEventIds,
                    held);
        }
    }
}
