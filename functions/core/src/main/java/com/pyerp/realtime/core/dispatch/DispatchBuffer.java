package com.pyerp.realtime.core.dispatch;

import java.time.Duration;

/**
 * The queue between EventBridge and the dispatcher: the rules send ERP events to an SQS queue, and the
 * dispatcher receives them in small batches <em>as soon as they arrive</em> (no batching window), so no event waits
 * for a window it does not need. Bursts of one coalescing key are throttled by the dispatcher itself
 * ({@link CoalescingThrottle}: leading and trailing edge per the catalog's {@code windowMillis}), not by the queue.
 * One definition for the CDK stack (queue, event source mapping) and the local gateway's queue mirror, which
 * batches, retries and dead-letters the same way. The reasoning (latency per hop, cost per million events) is in
 * infra-cdk/README.md, "Dispatch queue".
 */
public final class DispatchBuffer {
    private DispatchBuffer() {}

    /**
     * The most events one dispatcher invocation receives. AWS requires a batching window of at least 1 s for batches
     * over 10, so 10 is the largest batch that is delivered without waiting.
     */
    public static final int BATCH_SIZE = 10;
    /** How long the event source waits to fill a batch: zero, it invokes as soon as messages arrive. */
    public static final Duration BATCHING_WINDOW = Duration.ZERO;
    /**
     * Receives of one message before SQS moves it to the dead-letter queue (the redrive policy): the safety net for
     * events that keep failing although each was retried in seconds. An event that can never succeed does not count
     * on it: the dispatcher dead-letters it on its first receive ({@link SqsBatchProcessor}). A coalescing hold (the
     * trailing edge, {@link CoalescingThrottle}) uses a receive too, hence more than the usual 3.
     */
    public static final int MAX_RECEIVE_COUNT = 5;
    /**
     * Dispatcher invocations the queue runs at once. Each has {@code DISPATCH_CONCURRENCY} posts in flight, and every
     * PostToConnection shares API Gateway's account throttle (10,000 RPS): 5 × 32 posts in flight stay under it while
     * a backlog drains. The local gateway runs as many, at most one per two cores ({@code DispatchQueue.CONCURRENCY}).
     */
    public static final int MAX_CONCURRENCY = 5;
    /** Dispatch attempts of a transiently failing event within one invocation (the first included). */
    public static final int IN_INVOCATION_ATTEMPTS = 3;
    /** Base of the in-invocation retry backoff: full jitter over base × 2^(attempt−1). */
    public static final Duration RETRY_BACKOFF_BASE = Duration.ofMillis(100);
    /**
     * How soon a record that still failed after {@link #IN_INVOCATION_ATTEMPTS} is received again: the dispatcher
     * sets its visibility to this (ChangeMessageVisibility) before reporting it in {@code batchItemFailures}, instead
     * of leaving it invisible for the queue's visibility timeout (six times the function timeout).
     */
    public static final Duration RETRY_VISIBILITY = Duration.ofSeconds(2);
}
