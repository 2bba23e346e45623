package com.pyerp.realtime.core.dispatch;

import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Removes connections that answered 410 from the registry without slowing the fan-out: during the fan-out a 410 only
 * queues the id ({@link #add}, never blocks, no registry call competes with the posts); when the invocation's posts are
 * all answered, {@link #flush} removes the queued ones, {@link #WORKERS} at a time (each removal is the registry's
 * idempotent cleanup of the connection and its subscriptions), and waits for them, since a frozen Lambda would not
 * finish the work. A removal that fails is logged; the connection's TTL (and the next 410) clean it up later.
 */
final class GoneCleanup implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.get(Dispatcher.class);
    /** Removals in flight: each is a few registry requests, so a burst of 410s drains in parallel. */
    static final int WORKERS = 4;

    private record Gone(String connectionId, Map<String, Object> logContext) {}

    private final ConnectionRegistry registry;
    private final ConcurrentLinkedQueue<Gone> queue = new ConcurrentLinkedQueue<>();
    private final ExecutorService workers;

    GoneCleanup(ConnectionRegistry registry) {
        this.registry = registry;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "dispatch-gone-cleanup-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a gone connection for removal (with the log context of the event that found it). */
    void add(String connectionId, Map<String, Object> logContext) {
        queue.add(new Gone(connectionId, logContext));
    }

    /** Removes every queued connection, waiting at most {@code max}. @return true when all were done in time */
    boolean flush(Duration max) {
        List<Future<?>> running = new ArrayList<>();
        Gone g;
        while ((g = queue.poll()) != null) {
            Gone gone = g;
            running.add(workers.submit(() -> remove(gone)));
        }
        long end = System.nanoTime() + max.toNanos();
        for (Future<?> f : running) {
            try {
                f.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                // remove() logs its own failures
            }
        }
        return true;
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
        workers.shutdownNow();
    }
}
