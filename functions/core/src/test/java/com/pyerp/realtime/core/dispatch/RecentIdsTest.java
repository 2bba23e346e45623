package com.pyerp.realtime.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecentIdsTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void firstTime_shouldBeTrueOnce_withinTheWindow() {
        RecentIds ids = new RecentIds(Duration.ofMinutes(10), 100);

        assertThat(ids.firstTime("ev-1", T0)).isTrue();
        assertThat(ids.firstTime("ev-1", T0.plusSeconds(1))).isFalse();
        assertThat(ids.firstTime("ev-1", T0.plus(Duration.ofMinutes(10))))
                .as("at the window's end")
                .isFalse();
        assertThat(ids.firstTime("ev-2", T0.plusSeconds(1))).isTrue();
    }

    @Test
    void firstTime_shouldBeTrueAgain_afterTheWindowExpired() {
        RecentIds ids = new RecentIds(Duration.ofMinutes(10), 100);
        ids.firstTime("ev-1", T0);

        assertThat(ids.firstTime("ev-1", T0.plus(Duration.ofMinutes(10)).plusMillis(1)))
                .isTrue();
    }

    @Test
    void firstTime_shouldExpireFromTheFirstRecording_notTheLastLookup() {
        RecentIds ids = new RecentIds(Duration.ofSeconds(10), 100);
        ids.firstTime("ev-1", T0);
        ids.firstTime("ev-1", T0.plusSeconds(9)); // a duplicate does not extend the memory

        assertThat(ids.firstTime("ev-1", T0.plusSeconds(11))).isTrue();
    }

    @Test
    void firstTime_shouldEvictExpiredEntries_soTheSizeStaysSmall() {
        RecentIds ids = new RecentIds(Duration.ofSeconds(10), 100);
        for (int i = 0; i < 50; i++) ids.firstTime("old-" + i, T0);

        ids.firstTime("new", T0.plusSeconds(11));

        assertThat(ids.size()).isEqualTo(1);
    }

    @Test
    void size_shouldNeverExceedMaxEntries_andTheOldestShouldGoFirst() {
        RecentIds ids = new RecentIds(Duration.ofHours(1), 3);
        for (int i = 1; i <= 5; i++) {
            ids.firstTime("ev-" + i, T0.plusSeconds(i));
            assertThat(ids.size()).as("after %d ids", i).isLessThanOrEqualTo(3);
        }

        // the newest three are remembered, the two oldest were forgotten
        assertThat(ids.firstTime("ev-5", T0.plusSeconds(6))).isFalse();
        assertThat(ids.firstTime("ev-4", T0.plusSeconds(6))).isFalse();
        assertThat(ids.firstTime("ev-3", T0.plusSeconds(6))).isFalse();
        assertThat(ids.firstTime("ev-1", T0.plusSeconds(6))).isTrue();
    }

    @Test
    void forget_shouldLetTheSameIdThroughAgain() {
        RecentIds ids = new RecentIds(Duration.ofMinutes(10), 100);
        ids.firstTime("ev-1", T0);

        ids.forget("ev-1");

        assertThat(ids.firstTime("ev-1", T0.plusSeconds(1))).isTrue();
    }

    @Test
    void value_shouldReturnThePutValue_withinTheWindowOnly() {
        RecentIds latest = new RecentIds(Duration.ofSeconds(1), 100);
        Instant eventTime = Instant.parse("2026-11-25T09:59:59Z");

        latest.put("acme|WH-1/SKU-1", eventTime, T0);

        assertThat(latest.value("acme|WH-1/SKU-1", T0.plusMillis(500))).isEqualTo(eventTime);
        assertThat(latest.value("acme|WH-1/SKU-1", T0.plusMillis(1001))).isNull();
        assertThat(latest.value("unknown", T0)).isNull();
    }

    @Test
    void put_shouldReplaceTheValue_andRestartItsWindow() {
        RecentIds latest = new RecentIds(Duration.ofSeconds(10), 100);
        latest.put("k", T0.minusSeconds(5), T0);

        latest.put("k", T0.minusSeconds(1), T0.plusSeconds(8));

        assertThat(latest.value("k", T0.plusSeconds(15))).isEqualTo(T0.minusSeconds(1));
        assertThat(latest.size()).isEqualTo(1);
    }

    @Test
    void put_shouldKeepTheSizeBound() {
        RecentIds latest = new RecentIds(Duration.ofHours(1), 2);
        for (int i = 0; i < 10; i++) latest.put("k" + i, T0, T0.plusSeconds(i));

        assertThat(latest.size()).isLessThanOrEqualTo(2);
        assertThat(latest.value("k9", T0.plusSeconds(10))).isEqualTo(T0);
    }
}
