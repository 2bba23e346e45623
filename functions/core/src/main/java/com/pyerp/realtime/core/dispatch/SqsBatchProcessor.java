package com.pyerp.realtime.core.dispatch;

import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.events.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dispatcher's SQS batch handling, one class for the Lambda handler and the local gateway's queue mirror: an SQS
 * event ({@code Records} whose bodies are EventBridge events) in, the {@code SQSBatchResponse} out.
 *
 * <ul>
 *   <li>An event that can never succeed (unreadable body, not an EventBridge event, unknown type, schema-invalid) is
 *       dead-lettered at once with its reason ({@link DispatchQueueControl#deadLetter}), logged, counted (metric
 *       {@value #DEAD_LETTERED_METRIC}) and acknowledged: never retried.
 *   <li>A transient failure (the registry or the posts failed part-way) is retried within the invocation, up to
 *       {@link DispatchBuffer#IN_INVOCATION_ATTEMPTS} attempts with full-jitter backoff; if it still fails, its record
 *       is made visible again after {@link DispatchBuffer#RETRY_VISIBILITY} and reported in {@code batchItemFailures}.
 *   <li>An event held by the coalescing throttle (trailing edge) is made visible again when its key's window ends and
 *       reported in {@code batchItemFailures}, so the queue hands it back then; no invocation sleeps through a window.
 * </ul>
 *
 * When the queue control fails (or there is none), the record is reported in {@code batchItemFailures} and the queue's
 * visibility timeout and redrive policy ({@link DispatchBuffer#MAX_RECEIVE_COUNT}) take over: nothing is dropped.
 */
public final class SqsBatchProcessor {
    /** Metric (namespace {@code JsonLog.METRICS_NAMESPACE}) counting events dead-lettered at once. */
    public static final String DEAD_LETTERED_METRIC = "EventsDeadLettered";
    /** Metric counting in-invocation retries of transiently failed events. */
    public static final String RETRIED_METRIC = "EventsRetried";

    private static final JsonLog LOG = JsonLog.get(SqsBatchProcessor.class);

    /** Waits between in-invocation attempts; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final Dispatcher dispatcher;
    private final DispatchQueueControl control;
    private final Sleeper sleeper;
    private final LongUnaryOperator jitter;

    public SqsBatchProcessor(Dispatcher dispatcher, DispatchQueueControl control) {
        this(
                dispatcher,
                control,
                d -> Thread.sleep(d.toMillis()),
                bound -> ThreadLocalRandom.current().nextLong(bound + 1));
    }

    /**
     * @param jitter given a bound in milliseconds, a value in [0, bound] (full jitter)
     */
    public SqsBatchProcessor(
            Dispatcher dispatcher, DispatchQueueControl control, Sleeper sleeper, LongUnaryOperator jitter) {
        this.dispatcher = dispatcher;
        this.control = control;
        this.sleeper = sleeper;
        this.jitter = jitter;
    }

    /** Whether {@code event} is an SQS event (a {@code Records} array). */
    public static boolean isSqsEvent(JsonNode event) {
        return event != null && event.path("Records").isArray();
    }

    /**
     * Processes one SQS event and returns the {@code SQSBatchResponse}: the records to receive again. A batch of the
     * fan-out queue (page tasks, {@link FanOutPages}) has each page dispatched alone; any other is a batch of the
     * dispatch buffer (EventBridge events).
     */
    public ObjectNode process(JsonNode sqsEvent) {
        if (isPageBatch(sqsEvent.path("Records"))) return pages(sqsEvent.path("Records"));
        Set<String> retry = new LinkedHashSet<>();
        Map<String, List<JsonNode>> recordsByEventId = new LinkedHashMap<>();
        List<DeliveredEvent> events = new ArrayList<>();
        int deadLettered = 0;
        for (JsonNode record : sqsEvent.path("Records")) {
            try {
                DeliveredEvent e = DeliveredEvent.fromEventBridge(
                        Json.mapper().readTree(record.path("body").asString()));
                if (!recordsByEventId.containsKey(e.id())) events.add(e);
                recordsByEventId.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(record);
            } catch (JacksonException e) {
                deadLettered += deadLetter(record, null, "unreadable record: the body is not JSON", retry);
            } catch (InvalidEventException e) {
                deadLettered += deadLetter(record, e.eventId(), "not an EventBridge event: " + e.getMessage(), retry);
            }
        }
        List<DeliveredEvent> pending = events;
        int retried = 0;
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            DispatchReport report = dispatcher.dispatch(pending);
            for (String id : report.invalidEventIds())
                for (JsonNode record : recordsByEventId.getOrDefault(id, List.of()))
                    deadLettered += deadLetter(record, id, reasonOf(report, id), retry);
            for (Map.Entry<String, Duration> h : report.heldEventIds().entrySet())
                for (JsonNode record : recordsByEventId.getOrDefault(h.getKey(), List.of()))
                    redeliver(record, wholeSeconds(h.getValue()), "coalescing hold", retry);
            Set<String> failed = new LinkedHashSet<>(report.failedEventIds());
            report.invalidEventIds().forEach(failed::remove);
            if (failed.isEmpty()) break;
            if (attempt >= DispatchBuffer.IN_INVOCATION_ATTEMPTS) {
                for (String id : failed)
                    for (JsonNode record : recordsByEventId.getOrDefault(id, List.of())) {
                        LOG.warn(
                                "dispatch still failing after in-invocation retries; the queue hands it back",
                                "messageId",
                                record.path("messageId").asString(),
                                "eventId",
                                id,
                                "attempts",
                                attempt,
                                "retryInSeconds",
                                DispatchBuffer.RETRY_VISIBILITY.toSeconds());
                        redeliver(record, DispatchBuffer.RETRY_VISIBILITY, "transient failure", retry);
                    }
                break;
            }
            long bound = DispatchBuffer.RETRY_BACKOFF_BASE.toMillis() << (attempt - 1);
            try {
                sleeper.sleep(Duration.ofMillis(jitter.applyAsLong(bound)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pending = pending.stream().filter(e -> failed.contains(e.id())).toList();
            retried += pending.size();
            LOG.info("retrying transiently failed events", "events", pending.size(), "attempt", attempt + 1);
        }
        if (deadLettered > 0 || retried > 0)
            LOG.metrics(Map.of(DEAD_LETTERED_METRIC, deadLettered, RETRIED_METRIC, retried));
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode failures = out.putArray("batchItemFailures");
        retry.forEach(m -> failures.addObject().put("itemIdentifier", m));
        return out;
    }

    private int deadLetter(JsonNode record, String eventId, String reason, Set<String> retry) {
        String messageId = record.path("messageId").asString();
        try {
            control.deadLetter(record, reason);
            LOG.warn(
                    "event dead-lettered: it can never succeed",
                    "messageId",
                    messageId,
                    "eventId",
                    eventId,
                    "reason",
                    reason);
            return 1;
        } catch (RuntimeException e) {
            LOG.error(
                    "could not dead-letter an event; the queue's redrive policy will",
                    e,
                    "messageId",
                    messageId,
                    "eventId",
                    eventId,
                    "reason",
                    reason);
            retry.add(messageId);
            return 0;
        }
    }

    private void redeliver(JsonNode record, Duration delay, String why, Set<String> retry) {
        String messageId = record.path("messageId").asString();
        retry.add(messageId);
        try {
            control.redeliverAfter(record, delay);
        } catch (RuntimeException e) {
            LOG.warn(
                    "could not shorten the visibility; the record comes back after the visibility timeout",
                    "messageId",
                    messageId,
                    "why",
                    why,
                    "error",
                    e.toString());
        }
    }

    private static String reasonOf(DispatchReport report, String eventId) {
        String prefix = eventId + ": ";
        return report.invalidReasons().stream()
                .filter(r -> r.startsWith(prefix))
                .map(r -> r.substring(prefix.length()))
                .findFirst()
                .orElse("invalid event");
    }

    /** A delay rounded up to whole seconds (at least 1): SQS visibility has one-second resolution. */
    static Duration wholeSeconds(Duration d) {
        long s = (d.toMillis() + 999) / 1000;
        return Duration.ofSeconds(Math.max(1, s));
    }

    /** The message ids an {@code SQSBatchResponse} lists in {@code batchItemFailures}. */
    public static List<String> failedMessageIds(JsonNode response) {
        List<String> ids = new ArrayList<>();
        for (JsonNode f : response.path("batchItemFailures"))
            ids.add(f.path("itemIdentifier").asString());
        return ids;
    }

    /**
     * One SQS record as Lambda's event source delivers it (the local gateway's queue mirror builds its events with
     * this, so they have the shape of the golden fixture {@code sqs-event.json}).
     */
    public static ObjectNode record(
            String messageId, String body, int receiveCount, long sentAtMillis, String queueArn, String region) {
        ObjectNode rec = Json.mapper().createObjectNode();
        rec.put("messageId", messageId);
        rec.put("receiptHandle", "local-" + messageId + "-" + receiveCount);
        rec.put("body", body);
        ObjectNode attrs = rec.putObject("attributes");
        attrs.put("ApproximateReceiveCount", Integer.toString(receiveCount));
        attrs.put("SentTimestamp", Long.toString(sentAtMillis));
        attrs.put("SenderId", "events.amazonaws.com");
        attrs.put("ApproximateFirstReceiveTimestamp", Long.toString(System.currentTimeMillis()));
        rec.putObject("messageAttributes");
        rec.put("md5OfBody", md5(body));
        rec.put("eventSource", "aws:sqs");
        rec.put("eventSourceARN", queueArn);
        rec.put("awsRegion", region);
        return rec;
    }

    private static String md5(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            return "";
        }
    }

    /** Whether an SQS batch comes from the fan-out queue (its bodies are page tasks, see {@link FanOutPages}). */
    private static boolean isPageBatch(JsonNode records) {
        return records.size() > 0
                && FanOutPages.isPageTask(records.get(0).path("body").asString());
    }

    /** A batch of fan-out page tasks: each dispatched; the failed (or unreadable) ones are named for a retry. */
    private ObjectNode pages(JsonNode records) {
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode failures = out.putArray("batchItemFailures");
        for (JsonNode record : records) {
            String messageId = record.path("messageId").asString();
            try {
                DispatchReport report = dispatcher.dispatchPage(
                        FanOutPages.parse(record.path("body").asString()));
                if (!report.failedEventIds().isEmpty()) failures.addObject().put("itemIdentifier", messageId);
            } catch (InvalidEventException e) {
                LOG.warn("unreadable fan-out page task", "messageId", messageId, "reason", e.getMessage());
                failures.addObject().put("itemIdentifier", messageId);
            }
        }
        return out;
    }
}
