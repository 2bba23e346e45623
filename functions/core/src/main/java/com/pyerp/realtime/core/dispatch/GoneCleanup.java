package com.pyerp.realtime.core.dispatch;

import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Removes connections that answered 410 from the registry, off the fan-out's path: the fan-out only queues the id
 * ({@link #add}, never blocks); one worker thread drains the queue in batches and removes them one by one (each removal
 * is the registry's idempotent cleanup of the connection and its subscriptions). The dispatcher waits for the queue
 * to drain ({@link #awaitDrained}) before its invocation returns, since a frozen Lambda would not finish the work.
 */
final class GoneCleanup implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.get(Dispatcher.class);
    private static final int BATCH = 100;

    private record Gone(String connectionId, Map<String, Object> logContext) {}

    private final ConnectionRegistry registry;
    private final LinkedBlockingQueue<Gone> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final Object idle = new Object();
    private int pending; // queued or being removed; guarded by idle
    private volatile boolean closed;

    GoneCleanup(ConnectionRegistry registry) {
        this.registry = registry;
        this.worker = new Thread(this::work, "dispatch-gone-cleanup");
        worker.setDaemon(true);
        worker.start();
    }

    /** Queues a gone connection for removal (with the log context of the event that found it). */
    void add(String connectionId, Map<String, Object> logContext) {
        synchronized (idle) {
            pending++;
        }
        queue.add(new Gone(connectionId, logContext));
    }

    /** Waits until every queued removal is done, at most {@code max}. @return true when drained */
    boolean awaitDrained(Duration max) {
        long end = System.nanoTime() + max.toNanos();
        synchronized (idle) {
            while (pending > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) return false;
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private void work() {
        List<Gone> batch = new ArrayList<>(BATCH);
        while (!closed) {
            try {
                Gone first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                for (Gone g : batch) remove(g);
            } catch (InterruptedException e) {
                return;
            } finally {
                synchronized (idle) {
                    pending -= batch.size();
                    idle.notifyAll();
                }
                batch.clear();
            }
        }
    }

    private void remove(Gone g) {
        JsonLog.withContext(g.logContext(), () -> {
            try {
                registry.remove(g.connectionId());
                LOG.info("stale connection removed", "connectionId", g.connectionId());
            } catch (RuntimeException ex) {
                LOG.error("could not remove a gone connection", ex, "connectionId", g.connectionId());
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
    }
}
