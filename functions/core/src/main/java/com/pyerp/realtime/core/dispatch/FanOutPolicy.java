package com.pyerp.realtime.core.dispatch;

import java.time.Duration;

/**
 * How one dispatcher invocation paces its {@code @connections} posts (see {@link FanOut}).
 *
 * <p>Concurrency is adaptive (AIMD, like TCP's congestion window): it starts at {@code initialConcurrency}, grows by
 * one per accepted post until the first 429 (slow start: it doubles every round trip), then by one per round trip;
 * each 429 multiplies it by 0.7 (at most once per round trip: only a post sent after the last decrease can decrease it again),
 * never below {@code minConcurrency} nor above {@code maxConcurrency}. A throttled post is retried after a full-jitter
 * backoff, {@code random(0, min(backoffCap, backoffBase × 2^(attempt-1)))}, until {@code throttleDeadline} after the
 * fan-out started; one still throttled then fails the event (it is retried as a whole: nothing is lost to throttling).
 *
 * @param initialConcurrency posts in flight at the start
 * @param maxConcurrency     never more posts in flight ({@code DISPATCH_CONCURRENCY}); also the HTTP pool size
 * @param minConcurrency     never fewer (while there is work)
 * @param backoffBase        the first retry's upper bound
 * @param backoffCap         no retry waits longer
 * @param throttleDeadline   how long throttled posts are retried, from the start of the event's fan-out
 * @param seed               of the jitter (tests pass a fixed one)
 */
public record FanOutPolicy(
        int initialConcurrency,
        int maxConcurrency,
        int minConcurrency,
        Duration backoffBase,
        Duration backoffCap,
        Duration throttleDeadline,
        long seed) {

    /** The start of slow start, unless {@code DISPATCH_CONCURRENCY} is lower. */
    public static final int INITIAL_CONCURRENCY = 64;
    /** Well inside the dispatcher's 60 s timeout, leaving room for the registry reads and the gone cleanup. */
    public static final Duration THROTTLE_DEADLINE = Duration.ofSeconds(40);

    public FanOutPolicy {
        if (minConcurrency < 1 || maxConcurrency < minConcurrency)
            throw new IllegalArgumentException(
                    "need 1 <= minConcurrency <= maxConcurrency, got " + minConcurrency + ", " + maxConcurrency);
        initialConcurrency = Math.max(minConcurrency, Math.min(maxConcurrency, initialConcurrency));
        if (backoffBase.isNegative() || backoffCap.compareTo(backoffBase) < 0)
            throw new IllegalArgumentException("need 0 <= backoffBase <= backoffCap");
    }

    /** The defaults for at most {@code maxConcurrency} posts in flight. */
    public static FanOutPolicy of(int maxConcurrency) {
        return new FanOutPolicy(
                INITIAL_CONCURRENCY,
                maxConcurrency,
                1,
                Duration.ofMillis(50),
                Duration.ofSeconds(2),
                THROTTLE_DEADLINE,
                System.nanoTime());
    }

    public FanOutPolicy withBackoff(Duration base, Duration cap) {
        return new FanOutPolicy(initialConcurrency, maxConcurrency, minConcurrency, base, cap, throttleDeadline, seed);
    }

    public FanOutPolicy withThrottleDeadline(Duration deadline) {
        return new FanOutPolicy(
                initialConcurrency, maxConcurrency, minConcurrency, backoffBase, backoffCap, deadline, seed);
    }

    public FanOutPolicy withInitialConcurrency(int initial) {
        return new FanOutPolicy(
                initial, maxConcurrency, minConcurrency, backoffBase, backoffCap, throttleDeadline, seed);
    }

    /** The upper bound of the wait before retry number {@code attempt} (1, 2, ...), in nanoseconds. */
    long backoffBoundNanos(int attempt) {
        long base = backoffBase.toNanos();
        long cap = backoffCap.toNanos();
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        return base > (cap >> shift) ? cap : Math.min(cap, base << shift);
    }
}
