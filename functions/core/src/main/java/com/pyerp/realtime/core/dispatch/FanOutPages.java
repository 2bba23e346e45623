package com.pyerp.realtime.core.dispatch;

import com.pyerp.realtime.core.history.Publication;
import com.pyerp.realtime.core.registry.Subscriber;
import com.pyerp.realtime.events.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Scatter: a channel with more subscribers than a page is split across parallel dispatcher invocations, so a
 * 100,000-member broadcast finishes near API Gateway's account floor and no invocation holds the whole channel.
 *
 * <p>The invocation that receives the event (the coordinator) streams the channel from the registry as usual and
 * posts to its first {@code pageSize} subscribers itself; the rest it cuts into <em>page tasks</em> of at most
 * {@code pageSize} subscribers (and {@link #MAX_TASK_BYTES}), which it hands to a {@link ScatterSink} as it reads
 * them, ten at a time; so memory holds one page, never the channel. Each page task is one message of the fan-out
 * queue and one dispatcher invocation: it carries the EventBridge event, the channel, and the page's subscribers
 * (what the {@code byChannel} index projects: connection id, user id, roles), so it needs no registry read.
 *
 * <p>The page task body is JSON: {@code {"pyerpFanOutPage": 1, "channel": ..., "tenant": ..., "page": n,
 * "event": {EventBridge event}, "subscribers": [[connectionId, userId, [roles...]], ...]}}. A page is deduplicated
 * on {@code (event id, channel, page)}; a page that fails (e.g. still throttled at the deadline) is retried alone.
 */
public final class FanOutPages {
    private FanOutPages() {}

    /**
     * Subscribers per page (the {@code FANOUT_PAGE_SIZE} default): 1,000 posts take about 0.1 s of the account's
     * 10,000 RPS, and one task stays far under SQS's 256 KB message limit (about 100 bytes a subscriber).
     */
    public static final int PAGE_SIZE = 1_000;
    /** A page task is cut earlier when its body would pass this (SQS takes 256 KiB; the event is at most 256 KB too). */
    public static final int MAX_TASK_BYTES = 200_000;
    /** Page tasks per {@link ScatterSink#enqueue} call: SQS SendMessageBatch takes at most 10. */
    public static final int ENQUEUE_BATCH = 10;
    /** Dispatcher invocations running page tasks at once (the fan-out queue's event source maximum concurrency). */
    public static final int MAX_CONCURRENCY = 10;
    /** The marker field of a page task body. */
    public static final String MARKER = "pyerpFanOutPage";

    /** One page task, parsed. */
    public record PageTask(
            String channel,
            String tenant,
            int page,
            DeliveredEvent event,
            List<Subscriber> subscribers,
            /* the coordinator's history stamp of this channel's event, or null when the channel keeps no history */
            Publication stamp) {
        /** The page's dedupe id and its name in logs. */
        public String id() {
            return event.id() + "#" + channel + "#" + page;
        }
    }

    /** True when the SQS record body is a page task (else it is an EventBridge event). */
    public static boolean isPageTask(String body) {
        return body != null && body.startsWith("{\"" + MARKER + "\"");
    }

    /** Parses a page task body. @throws InvalidEventException when it is not one */
    public static PageTask parse(String body) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(body);
        } catch (JacksonException e) {
            throw new InvalidEventException(null, "the fan-out page task is not valid JSON");
        }
        if (n == null
                || !n.path(MARKER).isInt()
                || !n.path("channel").isString()
                || !n.path("subscribers").isArray()) throw new InvalidEventException(null, "not a fan-out page task");
        DeliveredEvent event = DeliveredEvent.fromEventBridge(n.get("event"));
        List<Subscriber> subs = new ArrayList<>();
        for (JsonNode s : n.get("subscribers")) {
            Set<String> roles = new LinkedHashSet<>();
            for (JsonNode r : s.path(2)) roles.add(r.asString());
            subs.add(new Subscriber(s.path(0).asString(), s.path(1).asString(), roles));
        }
        Publication stamp = n.path("offset").isNumber()
                ? Publication.stamp(n.path("offset").asLong(), n.path("epoch").asString())
                : null;
        return new PageTask(
                n.path("channel").asString(),
                n.path("tenant").asString(),
                n.path("page").asInt(),
                event,
                subs,
                stamp);
    }

    /** The EventBridge shape of an event (what {@link DeliveredEvent#fromEventBridge} reads). */
    static ObjectNode eventJson(DeliveredEvent e) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("version", "0");
        n.put("id", e.id());
        n.put("detail-type", e.detailType());
        n.put("source", e.source());
        if (e.account() != null) n.put("account", e.account());
        n.put("time", e.time().toString());
        if (e.region() != null) n.put("region", e.region());
        ArrayNode res = n.putArray("resources");
        e.resources().forEach(res::add);
        n.set("detail", e.detail());
        return n;
    }

    /**
     * Cuts the rest of a channel's subscribers into page tasks and enqueues them, reading the iterator to its end but
     * holding at most one page (and {@link #ENQUEUE_BATCH} bodies) at a time. The first tasks are enqueued in small
     * batches (1, 2, 4, 8), then {@link #ENQUEUE_BATCH} at a time.
     *
     * @return the number of page tasks and the number of subscribers they carry
     */
    static int[] scatter(
            DeliveredEvent event,
            String tenant,
            String channel,
            Publication stamp,
            Iterator<Subscriber> rest,
            int pageSize,
            ScatterSink sink) {
        String eventJson = eventJson(event).toString();
        List<String> batch = new ArrayList<>(ENQUEUE_BATCH);
        int pages = 0, subscribers = 0, flushAt = 1;
        while (rest.hasNext()) {
            ObjectNode task = Json.mapper().createObjectNode();
            task.put(MARKER, 1);
            task.put("channel", channel);
            task.put("tenant", tenant);
            task.put("page", pages + 1);
            if (stamp != null) {
                task.put("offset", stamp.offset());
                task.put("epoch", stamp.epoch());
            }
            ArrayNode subs = task.putArray("subscribers");
            int bytes = eventJson.length() + channel.length() + 200;
            while (subs.size() < pageSize && bytes < MAX_TASK_BYTES && rest.hasNext()) {
                Subscriber s = rest.next();
                ArrayNode row = subs.addArray();
                row.add(s.connectionId());
                row.add(s.userId());
                ArrayNode roles = row.addArray();
                s.roles().forEach(roles::add);
                bytes += 16 + s.connectionId().length() + s.userId().length();
                for (String r : s.roles()) bytes += r.length() + 3;
            }
            subscribers += subs.size();
            pages++;
            // the event last, as raw JSON (no second parse of the detail)
            String body = task.toString();
            body = body.substring(0, body.length() - 1) + ",\"event\":" + eventJson + "}";
            if (body.getBytes(StandardCharsets.UTF_8).length > 256 * 1024)
                throw new IllegalStateException(
                        "a fan-out page task exceeds 256 KiB; the event is too large to scatter");
            batch.add(body);
            // the first pages go out at once (batches of 1, 2, 4, 8), so their invocations start while this one
            // still reads the channel; then full batches
            if (batch.size() >= Math.min(ENQUEUE_BATCH, flushAt)) {
                sink.enqueue(List.copyOf(batch));
                batch.clear();
                flushAt *= 2;
            }
        }
        if (!batch.isEmpty()) sink.enqueue(List.copyOf(batch));
        return new int[] {pages, subscribers};
    }
}
