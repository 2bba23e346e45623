package com.pyerp.realtime.local;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The local gateway's dead-letter queues, as {@code GET /local/dead-letters} lists them (newest last, the last
 * {@link #MAX} kept): the dispatch buffer's ({@code "queue": "dispatch"}: an EventBridge event the dispatcher could
 * never deliver) and the fan-out queue's ({@code "queue": "fanout"}: one page of a large channel's broadcast, whose
 * subscribers missed the event). In the stack these are the two SQS dead-letter queues with their depth alarms.
 */
final class DeadLetters {
    /** Entries kept; older ones are dropped (a local tool, not an archive). */
    static final int MAX = 1000;

    static final String DISPATCH = "dispatch";
    static final String FANOUT = "fanout";

    private final Deque<Map<String, Object>> entries = new ArrayDeque<>();

    /**
     * @param queue        {@link #DISPATCH} or {@link #FANOUT}
     * @param event        the EventBridge event that was not delivered
     * @param extra        more fields (a fan-out page's channel and page number), in this order
     */
    void add(
            String queue,
            String messageId,
            JsonNode event,
            int receiveCount,
            String reason,
            Map<String, Object> extra) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("queue", queue);
        e.put("messageId", messageId);
        e.put("event", event);
        e.putAll(extra);
        e.put("receiveCount", receiveCount);
        e.put("errorMessage", reason);
        e.put("time", Instant.now().toString());
        synchronized (entries) {
            entries.addLast(e);
            while (entries.size() > MAX) entries.removeFirst();
        }
    }

    /** Every entry kept, oldest first. */
    List<Map<String, Object>> list() {
        synchronized (entries) {
            return new ArrayList<>(entries);
        }
    }

    /** Entries kept of one queue. */
    long count(String queue) {
        synchronized (entries) {
            return entries.stream().filter(e -> queue.equals(e.get("queue"))).count();
        }
    }
}
