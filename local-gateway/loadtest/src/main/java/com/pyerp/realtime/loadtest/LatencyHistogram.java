package com.pyerp.realtime.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of durations in microseconds: exact below 128 µs, then 64 buckets per power of
 * two (about 1.6 % resolution), so hours of samples take a fixed 18 KB. Min, max, count and sum are exact.
 */
final class LatencyHistogram {
    private static final int SUB = 64;
    private static final int BUCKETS = 128 + 40 * SUB;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong sum = new AtomicLong();
    private final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong max = new AtomicLong(Long.MIN_VALUE);

    void recordNanos(long nanos) {
        recordMicros(Math.max(0, nanos / 1000));
    }

    void recordMicros(long micros) {
        long v = Math.max(0, micros);
        counts.incrementAndGet(index(v));
        count.incrementAndGet();
        sum.addAndGet(v);
        min.accumulateAndGet(v, Math::min);
        max.accumulateAndGet(v, Math::max);
    }

    /** Forgets everything (between a preflight and the measured run, when nothing else records). */
    void reset() {
        for (int i = 0; i < BUCKETS; i++) counts.set(i, 0);
        count.set(0);
        sum.set(0);
        min.set(Long.MAX_VALUE);
        max.set(Long.MIN_VALUE);
    }

    static int index(long v) {
        if (v < 128) return (int) v;
        int e = (63 - Long.numberOfLeadingZeros(v)) - 6;
        int idx = e * SUB + (int) (v >> e);
        return Math.min(idx, BUCKETS - 1);
    }

    /** The smallest value of bucket {@code idx}. */
    static long lowerBound(int idx) {
        if (idx < 128) return idx;
        int e = idx / SUB - 1;
        long m = idx % SUB + SUB;
        return m << e;
    }

    /** One past the largest value of bucket {@code idx}. */
    static long upperBound(int idx) {
        return idx < 128 ? idx + 1 : lowerBound(idx + 1);
    }

    long count() {
        return count.get();
    }

    double meanMillis() {
        long n = count.get();
        return n == 0 ? 0 : sum.get() / 1000.0 / n;
    }

    double minMillis() {
        return count.get() == 0 ? 0 : min.get() / 1000.0;
    }

    double maxMillis() {
        return count.get() == 0 ? 0 : max.get() / 1000.0;
    }

    /** The value at quantile {@code q} (0..1) in milliseconds: the middle of its bucket, clamped to min and max. */
    double percentileMillis(double q) {
        long n = count.get();
        if (n == 0) return 0;
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                double mid = (lowerBound(i) + upperBound(i) - 1) / 2.0;
                return Math.max(min.get(), Math.min(max.get(), mid)) / 1000.0;
            }
        }
        return max.get() / 1000.0;
    }

    /** Non-empty buckets, as [fromMillis, toMillis, count]. */
    List<double[]> buckets() {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < BUCKETS; i++) {
            long c = counts.get(i);
            if (c > 0) out.add(new double[] {lowerBound(i) / 1000.0, upperBound(i) / 1000.0, c});
        }
        return out;
    }
}
