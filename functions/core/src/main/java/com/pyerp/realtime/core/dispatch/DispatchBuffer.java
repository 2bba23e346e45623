package com.pyerp.realtime.core.dispatch;

import java.time.Duration;

/**
 * The queue between EventBridge and the dispatcher: the rules send ERP events to an SQS queue, and the
 * dispatcher receives them in batches, so bursts of one coalescing key collapse to the latest within a batch
 * (and one invocation serves many events). One definition for the CDK stack (queue, event source mapping) and
 * the local gateway (which buffers the same way).
 */
public final class DispatchBuffer {
    private DispatchBuffer() {}

    /** The most events one dispatcher invocation receives. */
    public static final int BATCH_SIZE = 100;
    /** How long the event source waits to fill a batch: the latency added to every event, and the coalescing horizon. */
    public static final Duration BATCHING_WINDOW = Duration.ofSeconds(1);
    /** Receives of one message before it moves to the dead-letter queue (an invalid event fails every time). */
    public static final int MAX_RECEIVE_COUNT = 3;
    /**
     * Dispatcher invocations the queue runs at once. Each has {@code DISPATCH_CONCURRENCY} posts in flight, and every
     * PostToConnection shares API Gateway's account throttle (10,000 RPS): 5 × 32 posts in flight stay under it while
     * a backlog drains. The local gateway runs one at a time.
     */
    public static final int MAX_CONCURRENCY = 5;
}
