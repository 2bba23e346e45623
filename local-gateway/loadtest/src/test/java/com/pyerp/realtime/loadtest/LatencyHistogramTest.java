package com.pyerp.realtime.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void percentiles_shouldBeWithinTheBucketResolution() {
        LatencyHistogram h = new LatencyHistogram();
        for (int ms = 1; ms <= 1000; ms++) h.recordMicros(ms * 1000L);
        assertThat(h.count()).isEqualTo(1000);
        assertThat(h.percentileMillis(0.50)).isCloseTo(500, within(500 * 0.02));
        assertThat(h.percentileMillis(0.99)).isCloseTo(990, within(990 * 0.02));
        assertThat(h.minMillis()).isEqualTo(1.0);
        assertThat(h.maxMillis()).isEqualTo(1000.0);
        assertThat(h.meanMillis()).isCloseTo(500.5, within(0.01));
    }

    @Test
    void buckets_shouldTileTheRangeWithoutGapsOrOverlaps() {
        for (long v = 0; v < 5_000_000; v += 997) {
            int i = LatencyHistogram.index(v);
            assertThat(LatencyHistogram.lowerBound(i)).isLessThanOrEqualTo(v);
            assertThat(LatencyHistogram.upperBound(i)).isGreaterThan(v);
        }
        for (int i = 0; i < 1000; i++)
            assertThat(LatencyHistogram.upperBound(i)).isEqualTo(LatencyHistogram.lowerBound(i + 1));
    }
}
