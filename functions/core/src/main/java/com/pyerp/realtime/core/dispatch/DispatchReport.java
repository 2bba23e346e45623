package com.pyerp.realtime.core.dispatch;

import java.util.List;

/**
 * What one dispatcher invocation did, for logs, metrics and tests.
 *
 * @param events     events received
 * @param invalid    events refused (unknown type, schema failure): not delivered
 * @param duplicates events skipped because their id was already delivered (at-least-once delivery)
 * @param coalesced  events dropped because a later event with the same coalescing key superseded them
 * @param recipients posts attempted
 * @param delivered  posts accepted
 * @param gone       posts answered 410; those connections were removed from the registry
 * @param failed     posts that failed otherwise (throttled after retries, too large, errors)
 * @param invalidReasons one line per invalid event
 * @param failedEventIds the events to retry or dead-letter: invalid ones, and ones whose fan-out failed
 *                       (with an SQS event source, these are the batch item failures)
 * @param invalidEventIds the events that can never succeed (unknown type, schema failure): dead-lettered at once,
 *                        never retried; a subset of {@code failedEventIds}
 * @param heldEventIds events held by the coalescing throttle (trailing edge), with how long: to be dispatched
 *                     again when the key's window ends ({@link CoalescingThrottle})
 */
public record DispatchReport(
        int events,
        int invalid,
        int duplicates,
        int coalesced,
        int recipients,
        int delivered,
        int gone,
        int failed,
        List<String> invalidReasons,
        List<String> failedEventIds,
        List<String> invalidEventIds,
        java.util.Map<String, java.time.Duration> heldEventIds) {
    /** The CloudWatch metric names the dispatcher emits (namespace {@code JsonLog.METRICS_NAMESPACE}); the CDK dashboard and alarms read these. */
    public static final List<String> METRIC_NAMES = List.of(
            "EventsReceived",
            "EventsInvalid",
            "EventsDuplicate",
            "EventsCoalesced",
            "MessagesDelivered",
            "MessagesGone",
            "MessagesFailed");

    public DispatchReport {
        invalidReasons = List.copyOf(invalidReasons);
        failedEventIds = List.copyOf(failedEventIds);
        invalidEventIds = List.copyOf(invalidEventIds);
        heldEventIds = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(heldEventIds));
    }

    /** A report without invalid-id or hold details. */
    public DispatchReport(
            int events,
            int invalid,
            int duplicates,
            int coalesced,
            int recipients,
            int delivered,
            int gone,
            int failed,
            List<String> invalidReasons,
            List<String> failedEventIds) {
        this(
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
                List.of(),
                java.util.Map.of());
    }

    /** The counts by metric name, in {@link #METRIC_NAMES} order. */
    public java.util.Map<String, Integer> metrics() {
        int[] values = {events, invalid, duplicates, coalesced, delivered, gone, failed};
        java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) out.put(METRIC_NAMES.get(i), values[i]);
        return out;
    }
}
