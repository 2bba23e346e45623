package com.pyerp.realtime.core.dispatch;

import com.pyerp.realtime.core.log.JsonLog;
import java.util.Iterator;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One fan-out: posts to many connections from one thread, without a thread per post. The caller's thread takes the
 * next post (a due retry first, else the next recipient) whenever fewer than the {@linkplain AdaptiveConcurrency
 * adaptive limit} are in flight, starts it on the {@link ConnectionSender} and goes on; completions (on the sender's
 * I/O threads) count the outcome, adjust the limit and queue throttled posts for a full-jitter retry
 * ({@link FanOutPolicy}). {@link #run} returns when every post has an outcome: delivered, gone (handed to
 * {@code onGone}, which must not block), failed, or throttled past the deadline ({@link #expired()}).
 */
final class FanOut {
    private static final JsonLog LOG = JsonLog.get(Dispatcher.class);
    /** Upper bound of one wait of the loop thread; completions signal it earlier. */
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** One recipient's post; mutable, owned by whoever holds it (the loop, the sender, the retry queue). */
    static final class Post {
        final String connectionId;
        final byte[] payload;
        int attempts;
        long sentAt;
        long due;

        Post(String connectionId, byte[] payload) {
            this.connectionId = connectionId;
            this.payload = payload;
        }
    }

    private final ConnectionSender sender;
    private final FanOutPolicy policy;
    private final Consumer<String> onGone;
    private final Map<String, Object> logContext;
    private final Random jitter;
    private final AdaptiveConcurrency limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Post> retries = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
    private final long deadline;
    private int inFlight;
    private int maxInFlight;
    private boolean aborted;

    final AtomicInteger recipients = new AtomicInteger();
    final AtomicInteger delivered = new AtomicInteger();
    final AtomicInteger gone = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    /** 429 answers absorbed (each one retried or, past the deadline, expired) */
    final AtomicInteger throttled = new AtomicInteger();
    /** posts still throttled at the deadline (counted in {@link #failed} too) */
    final AtomicInteger expired = new AtomicInteger();

    FanOut(
            ConnectionSender sender,
            FanOutPolicy policy,
            Random jitter,
            Consumer<String> onGone,
            Map<String, Object> logContext) {
        this.sender = sender;
        this.policy = policy;
        this.jitter = jitter;
        this.onGone = onGone;
        this.logContext = logContext;
        this.limit = new AdaptiveConcurrency(policy);
        this.deadline = System.nanoTime() + policy.throttleDeadline().toNanos();
    }

    /**
     * Posts to every recipient the iterator yields (it is read on this thread only, lazily). If the iterator throws,
     * the posts in flight finish, queued retries are dropped (counted failed) and the exception is rethrown.
     */
    void run(Iterator<Post> posts) {
        boolean more = true;
        while (true) {
            Post next = null;
            lock.lock();
            try {
                while (true) {
                    long now = System.nanoTime();
                    Post retry = retries.peek();
                    if (inFlight < limit.limit()) {
                        if (retry != null && retry.due - now <= 0) {
                            next = retries.poll();
                            break;
                        }
                        if (more) break;
                        if (retry == null && inFlight == 0) return;
                    }
                    long wait = retry != null && inFlight < limit.limit()
                            ? Math.min(MAX_WAIT_NANOS, retry.due - now)
                            : MAX_WAIT_NANOS;
                    if (wait > 0) changed.awaitNanos(wait);
                }
                inFlight++;
                maxInFlight = Math.max(maxInFlight, inFlight);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort();
                throw new IllegalStateException("fan-out interrupted", e);
            } finally {
                lock.unlock();
            }
            if (next == null) {
                try {
                    if (posts.hasNext()) {
                        next = posts.next();
                        recipients.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    released(false);
                    abort();
                    throw e;
                }
                if (next == null) {
                    more = false;
                    released(false);
                    continue;
                }
            }
            start(next);
        }
    }

    private void start(Post p) {
        p.attempts++;
        p.sentAt = System.nanoTime();
        CompletableFuture<ConnectionSender.Outcome> f;
        try {
            f = sender.send(p.connectionId, p.payload);
        } catch (RuntimeException e) {
            f = CompletableFuture.completedFuture(
                    new ConnectionSender.Outcome(ConnectionSender.Status.FAILED, e.toString()));
        }
        if (f == null)
            f = CompletableFuture.completedFuture(
                    new ConnectionSender.Outcome(ConnectionSender.Status.FAILED, "the sender returned no future"));
        f.whenComplete((out, err) -> completed(
                p,
                out != null ? out : new ConnectionSender.Outcome(ConnectionSender.Status.FAILED, String.valueOf(err))));
    }

    /**
     * Counts the outcome, then frees the slot: {@link #run} returns once nothing is in flight nor queued, so every
     * count must be in before the slot is freed (a retry is queued in the same critical section that frees it).
     */
    private void completed(Post p, ConnectionSender.Outcome out) {
        long now = System.nanoTime();
        switch (out.status()) {
            case DELIVERED -> delivered.incrementAndGet();
            case GONE -> {
                gone.incrementAndGet();
                onGone.accept(p.connectionId);
            }
            case THROTTLED -> {
                throttled.incrementAndGet();
                lock.lock();
                try {
                    limit.onThrottled(p.sentAt, now);
                    long wait = (long) (jitter.nextDouble() * policy.backoffBoundNanos(p.attempts));
                    if (!aborted && now + wait - deadline < 0) {
                        p.due = now + wait;
                        retries.add(p);
                        inFlight--;
                        changed.signalAll();
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                expired.incrementAndGet();
                failure(
                        p,
                        new ConnectionSender.Outcome(
                                ConnectionSender.Status.THROTTLED,
                                "still throttled after " + p.attempts + " attempts (deadline "
                                        + policy.throttleDeadline().toMillis() + " ms)"));
                released(false);
                return;
            }
            default -> failure(p, out);
        }
        released(true);
    }

    private void failure(Post p, ConnectionSender.Outcome out) {
        failed.incrementAndGet();
        JsonLog.withContext(
                logContext,
                () -> LOG.warn(
                        "post failed",
                        "connectionId",
                        p.connectionId,
                        "status",
                        out.status().name(),
                        "detail",
                        out.detail()));
    }

    private void released(boolean answered) {
        lock.lock();
        try {
            if (answered) limit.onAnswered();
            inFlight--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Drops the queued retries (counted failed) and waits for the posts in flight. */
    private void abort() {
        lock.lock();
        try {
            aborted = true;
            while (inFlight > 0) changed.awaitUninterruptibly();
            Post p;
            while ((p = retries.poll()) != null) {
                expired.incrementAndGet();
                failure(
                        p,
                        new ConnectionSender.Outcome(ConnectionSender.Status.THROTTLED, "dropped: the fan-out failed"));
            }
        } finally {
            lock.unlock();
        }
    }

    int maxInFlight() {
        lock.lock();
        try {
            return maxInFlight;
        } finally {
            lock.unlock();
        }
    }

    int decreases() {
        lock.lock();
        try {
            return limit.decreases();
        } finally {
            lock.unlock();
        }
    }
}
