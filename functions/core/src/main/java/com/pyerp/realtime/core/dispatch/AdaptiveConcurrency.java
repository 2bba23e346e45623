package com.pyerp.realtime.core.dispatch;

/**
 * The AIMD limit of posts in flight ({@link FanOutPolicy} describes the rule). Not thread-safe: {@link FanOut} calls it
 * under its lock. Times are {@link System#nanoTime()} values, passed in.
 */
final class AdaptiveConcurrency {
    /** The multiplicative decrease on 429 (TCP CUBIC's 0.7: halving under-fills the pipe for several round trips). */
    static final double DECREASE = 0.7;

    private final int min;
    private final int max;
    private double limit;
    private boolean slowStart = true;
    private long lastDecrease = Long.MIN_VALUE;
    private int decreases;

    AdaptiveConcurrency(FanOutPolicy policy) {
        this.min = policy.minConcurrency();
        this.max = policy.maxConcurrency();
        this.limit = policy.initialConcurrency();
    }

    int limit() {
        return (int) limit;
    }

    /** A post was answered (not throttled): additive increase (one per post in slow start). */
    void onAnswered() {
        limit = Math.min(max, slowStart ? limit + 1 : limit + 1 / limit);
    }

    /** A post sent at {@code sentAt} was throttled at {@code now}: multiply by {@link #DECREASE}, once per round trip. */
    void onThrottled(long sentAt, long now) {
        if (sentAt - lastDecrease < 0 && lastDecrease != Long.MIN_VALUE) return; // sent before the last decrease
        slowStart = false;
        limit = Math.max(min, limit * DECREASE);
        lastDecrease = now;
        decreases++;
    }

    int decreases() {
        return decreases;
    }
}
