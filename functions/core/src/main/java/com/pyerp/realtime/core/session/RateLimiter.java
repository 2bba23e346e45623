package com.pyerp.realtime.core.session;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per connection: {@code perSecond} refill, {@code burst} size. A frame over the rate is
 * {@link Verdict#LIMITED}; {@code strikes} limited frames in a row are {@link Verdict#ABUSE} (the caller closes the
 * socket). Thread-safe; at most {@link #MAX_TRACKED} connections are tracked (the least recently seen is forgotten,
 * which only ever gives that connection a full bucket again).
 *
 * <p>In the cloud this state lives in the warm Lambda container that runs the command: frames of one connection
 * that land in several concurrent containers each get a bucket, so the effective limit is at most the number of
 * containers times the configured one; the stage's route throttling (infra-cdk) is the hard ceiling. Locally there
 * is one container, so the limit is exact.
 */
public final class RateLimiter {
    public enum Verdict {
        OK,
        LIMITED,
        ABUSE
    }

    public static final int MAX_TRACKED = 100_000;

    private final double perMilli;
    private final double burst;
    private final int strikes;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    private static final class Bucket {
        double tokens;
        long last;
        int strikes;
    }

    public RateLimiter(int perSecond, int burst, int strikes, Clock clock) {
        this.perMilli = perSecond / 1000.0;
        this.burst = burst;
        this.strikes = strikes;
        this.clock = clock;
    }

    public synchronized Verdict tryAcquire(String connectionId) {
        long now = clock.millis();
        Bucket b = buckets.get(connectionId);
        if (b == null) {
            b = new Bucket();
            b.tokens = burst;
            b.last = now;
            buckets.put(connectionId, b);
        }
        b.tokens = Math.min(burst, b.tokens + Math.max(0, now - b.last) * perMilli);
        b.last = now;
        if (b.tokens >= 1) {
            b.tokens -= 1;
            b.strikes = 0;
            return Verdict.OK;
        }
        b.strikes++;
        return b.strikes >= strikes ? Verdict.ABUSE : Verdict.LIMITED;
    }

    /** Forgets a connection (on disconnect). */
    public synchronized void forget(String connectionId) {
        buckets.remove(connectionId);
    }
}
