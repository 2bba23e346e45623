package com.pyerp.realtime.local;

import com.pyerp.realtime.core.dispatch.DispatchBuffer;
import com.pyerp.realtime.core.dispatch.FanOutPages;
import com.pyerp.realtime.core.dispatch.ScatterSink;
import com.pyerp.realtime.core.dispatch.SqsBatchProcessor;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.handler.DispatcherHandler;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The local stand-in for the fan-out queue of scatter ({@link FanOutPages}) and its event source: each page task is
 * one SQS record given to the same {@link DispatcherHandler} (batch size 1), on up to
 * {@link FanOutPages#MAX_CONCURRENCY} invocations at once; a page the handler names in {@code batchItemFailures} (or
 * whose invocation fails) is received again after a short visibility timeout, up to
 * {@link DispatchBuffer#MAX_RECEIVE_COUNT} times, then logged as a dead letter. It is the {@link ScatterSink} the
 * gateway's dispatcher enqueues to, as the Lambda's dispatcher sends to SQS.
 */
public final class FanOutQueue implements ScatterSink, AutoCloseable {
    private static final JsonLog LOG = JsonLog.get(FanOutQueue.class);
    private static final long VISIBILITY_RETRY_MILLIS = 300;
    /**
     * Page invocations at once: {@link FanOutPages#MAX_CONCURRENCY} as in the stack, but no more than this machine's
     * cores, since here every invocation shares one JVM (in AWS each has its own CPU). Measured with FanOutBenchmark on
     * 2 cores: a 10,000-subscriber scatter took 13–20 s with 10 page invocations at once, 7 s with 2.
     */
    static final int CONCURRENCY = Math.min(
            FanOutPages.MAX_CONCURRENCY, Math.max(2, Runtime.getRuntime().availableProcessors()));

    private final ExecutorService invocations;
    /** Holds a failed page for its visibility timeout, so the wait does not take an invocation slot. */
    private final ScheduledExecutorService visibility = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "local-gateway-fanout-visibility");
        t.setDaemon(true);
        return t;
    });

    private final String region;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final DeadLetters deadLetters;
    private final Object idle = new Object();
    private volatile DispatcherHandler dispatcher;
    private volatile boolean closed;

    /** A queue with its own dead-letter list (the benchmark's). */
    public FanOutQueue(String region) {
        this(region, new DeadLetters());
    }

    /** A queue whose dead letters go to {@code deadLetters} (the gateway's, shown by {@code /local/dead-letters}). */
    FanOutQueue(String region, DeadLetters deadLetters) {
        this.region = region;
        this.deadLetters = deadLetters;
        AtomicInteger n = new AtomicInteger();
        this.invocations = Executors.newFixedThreadPool(CONCURRENCY, r -> {
            Thread t = new Thread(r, "local-gateway-fanout-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The handler the queue's event source invokes (the dispatcher that enqueues to this queue). */
    public void attach(DispatcherHandler handler) {
        this.dispatcher = handler;
    }

    @Override
    public void enqueue(List<String> pageTasks) {
        if (closed) throw new IllegalStateException("the fan-out queue is closed");
        long now = System.currentTimeMillis();
        for (String body : pageTasks) submit(UUID.randomUUID().toString(), body, now, 1, 0);
    }

    private void submit(String messageId, String body, long sentAtMillis, int receiveCount, long delayMillis) {
        outstanding.incrementAndGet();
        Runnable invocation = () -> {
            try {
                if (!closed) invoke(messageId, body, sentAtMillis, receiveCount);
            } catch (RuntimeException e) {
                LOG.error("fan-out page invocation failed", e, "messageId", messageId);
            } finally {
                done();
            }
        };
        try {
            if (delayMillis > 0) {
                visibility.schedule(() -> start(invocation), delayMillis, TimeUnit.MILLISECONDS);
            } else {
                start(invocation);
            }
        } catch (RejectedExecutionException e) { // closed meanwhile: the page is dropped with the queue
            done();
        }
    }

    private void start(Runnable invocation) {
        try {
            invocations.execute(invocation);
        } catch (RejectedExecutionException e) { // closed meanwhile: the page is dropped with the queue
            done();
        }
    }

    private void done() {
        if (outstanding.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    private void invoke(String messageId, String body, long sentAtMillis, int receiveCount) {
        ObjectNode event = Json.mapper().createObjectNode();
        event.putArray("Records")
                .add(SqsBatchProcessor.record(
                        messageId,
                        body,
                        receiveCount,
                        sentAtMillis,
                        "arn:aws:sqs:" + region + ":" + LocalGatewayConfig.ACCOUNT + ":pyerp-realtime-fanout-queue",
                        region));
        LambdaRuntime.Result r = LambdaRuntime.invokeStream(LambdaRuntime.DISPATCHER, dispatcher, event);
        boolean failed = r.failed() || !r.payload().path("batchItemFailures").isEmpty();
        if (!failed) return;
        if (receiveCount >= DispatchBuffer.MAX_RECEIVE_COUNT) {
            String reason = r.failed() ? r.errorType() + ": " + r.errorMessage() : "listed in batchItemFailures";
            LOG.warn(
                    "fan-out page failed on every receive; dead-lettered",
                    "messageId",
                    messageId,
                    "receiveCount",
                    receiveCount,
                    "reason",
                    reason);
            deadLetter(messageId, body, receiveCount, reason);
        } else {
            submit(messageId, body, sentAtMillis, receiveCount + 1, VISIBILITY_RETRY_MILLIS * receiveCount);
        }
    }

    /** Waits until no page task is queued or running, at most {@code max}. @return true when idle */
    public boolean awaitIdle(Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        synchronized (idle) {
            while (outstanding.get() > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
        }
        return true;
    }

    /** Page tasks that failed on every receive. */
    public int deadLetters() {
        return (int) deadLetters.count(DeadLetters.FANOUT);
    }

    /** The page's event, channel and page number, without its subscriber list (up to a thousand entries). */
    private void deadLetter(String messageId, String body, int receiveCount, String reason) {
        JsonNode task;
        try {
            task = Json.mapper().readTree(body);
        } catch (RuntimeException e) {
            task = Json.mapper().getNodeFactory().stringNode(body);
        }
        Map<String, Object> where = new LinkedHashMap<>();
        where.put("channel", task.path("channel").asString(null));
        where.put("page", task.path("page").asInt(-1));
        deadLetters.add(DeadLetters.FANOUT, messageId, task.path("event"), receiveCount, reason, where);
    }

    @Override
    public void close() {
        closed = true;
        visibility.shutdownNow();
        invocations.shutdownNow();
    }
}
