package com.pyerp.realtime.local;

import com.pyerp.realtime.core.dispatch.DispatchBuffer;
import com.pyerp.realtime.core.dispatch.DispatchQueueControl;
import com.pyerp.realtime.core.dispatch.SqsBatchProcessor;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.handler.DispatcherHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The local stand-in for the rules' SQS queue, its event source mapping and its dead-letter queue, from the same
 * numbers as the stack ({@link DispatchBuffer}): a batch of up to {@link DispatchBuffer#BATCH_SIZE} goes to the
 * dispatcher as soon as events are there (the batching window is zero), as one SQS event built by
 * {@link SqsBatchProcessor#record}. As SQS, it answers the dispatcher's {@link DispatchQueueControl} calls: a dead
 * letter goes to {@code /local/dead-letters} at once (and the record is acknowledged), a new visibility decides when
 * a record named in {@code batchItemFailures} is received again. A failed record without one comes back after a
 * short visibility (locally; the stack's queue would wait its visibility timeout); after
 * {@link DispatchBuffer#MAX_RECEIVE_COUNT} receives it becomes a dead letter, like the queue's redrive to its DLQ.
 */
final class DispatchQueue implements DispatchQueueControl, AutoCloseable {
    private static final JsonLog LOG = JsonLog.get(DispatchQueue.class);
    private static final long VISIBILITY_RETRY_MILLIS = 300;

    private record Message(String messageId, String body, int receiveCount, long sentAt) {}

    private final LocalGatewayConfig config;
    private final ScheduledExecutorService timers;
    private final LinkedBlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    private final DeadLetters deadLetters;
    /** Per message of the batch in flight: dead-lettered by the dispatcher, or its new visibility. */
    private final Set<String> deadLettered = ConcurrentHashMap.newKeySet();

    private final Map<String, Duration> visibility = new ConcurrentHashMap<>();
    private DispatcherHandler dispatcher;
    private final List<Thread> pollers = new ArrayList<>();
    private volatile boolean closed;

    DispatchQueue(LocalGatewayConfig config, ScheduledExecutorService timers, DeadLetters deadLetters) {
        this.config = config;
        this.timers = timers;
        this.deadLetters = deadLetters;
    }

    /**
     * Dispatcher invocations at once: as many as the stack's event source runs ({@link DispatchBuffer#MAX_CONCURRENCY}),
     * but one per two cores, since here every invocation shares one JVM with the gateway and its clients, and a fan-out
     * keeps about a core busy (the SDK's request pipeline, the WebSocket writes). On this 2-core machine that is one.
     * Measured with LatencyBenchmark heavy (10 broadcasts/s to 1,000 clients), four alternating runs each on a quiet
     * machine: one at a time p99 92-181 ms, two at a time p99 156-1,029 ms (two broadcasts competing for the same
     * cores both finish late). With more than one, events of one channel may be delivered out of order, as in AWS
     * (docs/protocol.md, "Ordering and gaps").
     */
    static final int CONCURRENCY = Math.max(
            1, Math.min(DispatchBuffer.MAX_CONCURRENCY, Runtime.getRuntime().availableProcessors() / 2));

    /** Starts the event source mapping: {@link #CONCURRENCY} pollers, each invoking {@code dispatcher} with a batch. */
    synchronized void start(DispatcherHandler dispatcher) {
        if (!pollers.isEmpty()) throw new IllegalStateException("already started");
        this.dispatcher = dispatcher;
        for (int i = 1; i <= CONCURRENCY; i++) {
            Thread poller = new Thread(this::poll, "local-gateway-dispatch-poller-" + i);
            poller.setDaemon(true);
            pollers.add(poller);
            poller.start();
        }
    }

    /** SendMessage: an EventBridge event, as a rule's SQS target delivers it. */
    void send(JsonNode event) {
        queue.add(new Message(
                UUID.randomUUID().toString(), Json.mapper().writeValueAsString(event), 0, System.currentTimeMillis()));
    }

    private void poll() {
        long windowNanos = DispatchBuffer.BATCHING_WINDOW.toNanos();
        while (!closed) {
            try {
                Message first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                List<Message> batch = new ArrayList<>(List.of(first));
                long deadline = System.nanoTime() + windowNanos;
                while (batch.size() < DispatchBuffer.BATCH_SIZE) {
                    long left = deadline - System.nanoTime();
                    Message m = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (m == null) break;
                    batch.add(m);
                }
                invoke(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("dispatch poller failed", e);
            }
        }
    }

    private void invoke(List<Message> received) {
        List<Message> batch = received.stream()
                .map(m -> new Message(m.messageId(), m.body(), m.receiveCount() + 1, m.sentAt()))
                .toList();
        ObjectNode event = Json.mapper().createObjectNode();
        ArrayNode records = event.putArray("Records");
        String arn =
                "arn:aws:sqs:" + config.region() + ":" + LocalGatewayConfig.ACCOUNT + ":pyerp-realtime-dispatch-buffer";
        for (Message m : batch)
            records.add(SqsBatchProcessor.record(
                    m.messageId(), m.body(), m.receiveCount(), m.sentAt(), arn, config.region()));
        LambdaRuntime.Result r = LambdaRuntime.invokeStream(LambdaRuntime.DISPATCHER, dispatcher, event);
        Set<String> failed = new HashSet<>();
        String reason;
        if (r.failed()) {
            batch.forEach(m -> failed.add(m.messageId()));
            reason = r.errorType() + ": " + r.errorMessage();
        } else {
            failed.addAll(SqsBatchProcessor.failedMessageIds(r.payload()));
            reason = "listed in batchItemFailures (the dispatcher's log says why)";
        }
        for (Message m : batch) {
            boolean wasDeadLettered = deadLettered.remove(m.messageId());
            Duration visible = visibility.remove(m.messageId());
            // a record the dispatcher dead-lettered itself is acknowledged (not listed), so it is gone
            if (!failed.contains(m.messageId()) || wasDeadLettered) continue;
            if (m.receiveCount() >= DispatchBuffer.MAX_RECEIVE_COUNT) {
                deadLetter(m, reason + " (redrive after " + m.receiveCount() + " receives)");
            } else if (!closed) {
                long delay = visible != null ? visible.toMillis() : VISIBILITY_RETRY_MILLIS * m.receiveCount();
                LOG.info(
                        "record will be received again",
                        "messageId",
                        m.messageId(),
                        "receiveCount",
                        m.receiveCount(),
                        "inMillis",
                        delay);
                timers.schedule(() -> queue.add(m), delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** SendMessage to the DLQ, as the dispatcher does with an event that can never succeed. */
    @Override
    public void deadLetter(JsonNode record, String reason) {
        String messageId = record.path("messageId").asString();
        deadLettered.add(messageId);
        deadLetter(
                new Message(
                        messageId,
                        record.path("body").asString(),
                        Integer.parseInt(record.path("attributes")
                                .path("ApproximateReceiveCount")
                                .asString("1")),
                        Long.parseLong(
                                record.path("attributes").path("SentTimestamp").asString("0"))),
                reason);
    }

    /** ChangeMessageVisibility of a record in flight. */
    @Override
    public void redeliverAfter(JsonNode record, Duration delay) {
        visibility.put(record.path("messageId").asString(), delay);
    }

    private void deadLetter(Message m, String reason) {
        JsonNode event;
        try {
            event = Json.mapper().readTree(m.body());
        } catch (RuntimeException e) {
            event = Json.mapper().getNodeFactory().stringNode(m.body());
        }
        LOG.warn(
                "message dead-lettered",
                "messageId",
                m.messageId(),
                "eventId",
                event.path("id").asString(),
                "receiveCount",
                m.receiveCount(),
                "reason",
                reason);
        deadLetters.add(DeadLetters.DISPATCH, m.messageId(), event, m.receiveCount(), reason, Map.of());
    }

    @Override
    public void close() {
        closed = true;
        List<Thread> running;
        synchronized (this) {
            running = List.copyOf(pollers);
        }
        running.forEach(Thread::interrupt);
        try {
            for (Thread p : running) p.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
