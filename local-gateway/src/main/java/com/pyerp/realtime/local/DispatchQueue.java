package com.pyerp.realtime.local;

import com.pyerp.realtime.core.dispatch.DispatchBuffer;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.handler.DispatcherHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The local stand-in for the rules' SQS queue and the dispatcher's event source mapping (see
 * {@link DispatchBuffer}): events wait up to the batching window (or until a batch is full), the dispatcher gets
 * them as one SQS event, and the records it names in {@code batchItemFailures} are received again after a short
 * visibility timeout, until {@link DispatchBuffer#MAX_RECEIVE_COUNT}; then they become dead letters, like the
 * queue's redrive to its DLQ.
 */
final class DispatchQueue implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.get(DispatchQueue.class);
    private static final long VISIBILITY_RETRY_MILLIS = 300;

    private record Message(String messageId, String body, int receiveCount, long sentAt) {}

    private final LocalGatewayConfig config;
    private final DispatcherHandler dispatcher;
    private final ScheduledExecutorService timers;
    private final LinkedBlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    private final Deque<Map<String, Object>> deadLetters = new ArrayDeque<>();
    private final Thread poller;
    private volatile boolean closed;

    DispatchQueue(LocalGatewayConfig config, DispatcherHandler dispatcher, ScheduledExecutorService timers) {
        this.config = config;
        this.dispatcher = dispatcher;
        this.timers = timers;
        this.poller = new Thread(this::poll, "local-gateway-dispatch-poller");
        poller.setDaemon(true);
        poller.start();
    }

    /** SendMessage: an EventBridge event, as a rule's SQS target delivers it. */
    void send(JsonNode event) {
        queue.add(new Message(
                UUID.randomUUID().toString(),
                LambdaRuntime.JSON.writeValueAsString(event),
                0,
                System.currentTimeMillis()));
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
                    if (left <= 0) break;
                    Message m = queue.poll(left, TimeUnit.NANOSECONDS);
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
        ObjectNode event = LambdaRuntime.JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message m : batch) records.add(record(m));
        LambdaRuntime.Result r = LambdaRuntime.invokeStream("dispatcher", dispatcher, event);
        Set<String> failed = new HashSet<>();
        String reason;
        if (r.failed()) {
            batch.forEach(m -> failed.add(m.messageId()));
            reason = r.errorType() + ": " + r.errorMessage();
        } else {
            for (JsonNode f : r.payload().path("batchItemFailures"))
                failed.add(f.path("itemIdentifier").asString());
            reason = "listed in batchItemFailures (the dispatcher's log says why)";
        }
        for (Message m : batch) {
            if (!failed.contains(m.messageId())) continue;
            if (m.receiveCount() >= DispatchBuffer.MAX_RECEIVE_COUNT) {
                deadLetter(m, reason);
            } else {
                LOG.warn(
                        "dispatch failed; the message will be received again",
                        "messageId",
                        m.messageId(),
                        "receiveCount",
                        m.receiveCount(),
                        "reason",
                        reason);
                if (!closed)
                    timers.schedule(
                            () -> queue.add(m), VISIBILITY_RETRY_MILLIS * m.receiveCount(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private ObjectNode record(Message m) {
        ObjectNode rec = LambdaRuntime.JSON.createObjectNode();
        rec.put("messageId", m.messageId());
        rec.put("receiptHandle", "local-" + m.messageId() + "-" + m.receiveCount());
        rec.put("body", m.body());
        ObjectNode attrs = rec.putObject("attributes");
        attrs.put("ApproximateReceiveCount", Integer.toString(m.receiveCount()));
        attrs.put("SentTimestamp", Long.toString(m.sentAt()));
        attrs.put("SenderId", "events.amazonaws.com");
        attrs.put("ApproximateFirstReceiveTimestamp", Long.toString(System.currentTimeMillis()));
        rec.putObject("messageAttributes");
        rec.put("md5OfBody", md5(m.body()));
        rec.put("eventSource", "aws:sqs");
        rec.put(
                "eventSourceARN",
                "arn:aws:sqs:" + config.region() + ":" + LocalGatewayConfig.ACCOUNT
                        + ":pyerp-realtime-dispatch-buffer");
        rec.put("awsRegion", config.region());
        return rec;
    }

    private void deadLetter(Message m, String reason) {
        JsonNode event = LambdaRuntime.JSON.readTree(m.body());
        LOG.warn(
                "dispatch failed on every receive; message dead-lettered",
                "messageId",
                m.messageId(),
                "eventId",
                event.path("id").asString(),
                "receiveCount",
                m.receiveCount(),
                "reason",
                reason);
        synchronized (deadLetters) {
            deadLetters.addLast(Map.of(
                    "messageId",
                    m.messageId(),
                    "event",
                    event,
                    "receiveCount",
                    m.receiveCount(),
                    "errorMessage",
                    reason,
                    "time",
                    Instant.now().toString()));
            while (deadLetters.size() > 1000) deadLetters.removeFirst();
        }
    }

    /** The dead-letter queue's content (newest last). */
    List<Map<String, Object>> deadLetters() {
        synchronized (deadLetters) {
            return new ArrayList<>(deadLetters);
        }
    }

    private static String md5(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            return "";
        }
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
        try {
            poller.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
