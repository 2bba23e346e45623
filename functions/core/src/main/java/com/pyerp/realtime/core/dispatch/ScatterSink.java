package com.pyerp.realtime.core.dispatch;

import java.util.List;

/**
 * Where a dispatcher sends the page tasks of a channel too large for one invocation ({@link FanOutPages}). In the
 * cloud: the fan-out queue (SQS SendMessageBatch), whose consumer is the dispatcher function itself, so pages run in
 * parallel invocations; locally: the local gateway's fan-out queue, invoking the same handler class.
 */
@FunctionalInterface
public interface ScatterSink {
    /**
     * Enqueues up to {@link FanOutPages#ENQUEUE_BATCH} page tasks (JSON bodies), all or nothing.
     *
     * @throws RuntimeException when they could not all be enqueued; the event then fails and is retried whole
     */
    void enqueue(List<String> pageTasks);
}
