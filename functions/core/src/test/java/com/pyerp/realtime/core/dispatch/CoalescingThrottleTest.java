package com.pyerp.realtime.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CoalescingThrottleTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:15:00Z");
    private static final Duration WINDOW = Duration.ofMillis(1000);

    @Test
    void admit_shouldSendTheFirstEventOfAKey_atOnce() {
        CoalescingThrottle t = new CoalescingThrottle(10);

        assertThat(t.admit("k", WINDOW, T0).sendNow()).isTrue();
        assertThat(t.admit("other", WINDOW, T0).sendNow())
                .as("keys are independent")
                .isTrue();
    }

    @Test
    void admit_shouldHoldUntilTheWindowEnds_thenSendAgain() {
        CoalescingThrottle t = new CoalescingThrottle(10);
        t.admit("k", WINDOW, T0);

        CoalescingThrottle.Admission within = t.admit("k", WINDOW, T0.plusMillis(250));
        CoalescingThrottle.Admission justBefore = t.admit("k", WINDOW, T0.plusMillis(999));
        CoalescingThrottle.Admission atEnd = t.admit("k", WINDOW, T0.plusMillis(1000));

        assertThat(within.sendNow()).isFalse();
        assertThat(within.holdFor()).isEqualTo(Duration.ofMillis(750));
        assertThat(justBefore.holdFor()).isEqualTo(Duration.ofMillis(1));
        assertThat(atEnd.sendNow()).isTrue();
        // the window restarts at the trailing-edge delivery
        assertThat(t.admit("k", WINDOW, T0.plusMillis(1500)).holdFor()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void admit_shouldNeverHold_whenTheWindowIsZero() {
        CoalescingThrottle t = new CoalescingThrottle(10);
        t.admit("k", Duration.ZERO, T0);

        assertThat(t.admit("k", Duration.ZERO, T0).sendNow()).isTrue();
    }

    @Test
    void undo_shouldTakeBackAFailedSend_soTheRetryIsNotHeld() {
        CoalescingThrottle t = new CoalescingThrottle(10);
        CoalescingThrottle.Admission failed = t.admit("k", WINDOW, T0);

        t.undo("k", failed);

        assertThat(t.admit("k", WINDOW, T0.plusMillis(10)).sendNow()).isTrue();
    }

    @Test
    void undo_shouldRestoreThePreviousSend_andIgnoreAStaleAdmission() {
        CoalescingThrottle t = new CoalescingThrottle(10);
        t.admit("k", WINDOW, T0);
        CoalescingThrottle.Admission second = t.admit("k", WINDOW, T0.plusMillis(1000));
        t.undo("k", second);
        assertThat(t.admit("k", WINDOW, T0.plusMillis(1100)).sendNow())
                .as("the previous send (T0) is long past its window")
                .isTrue();

        CoalescingThrottle.Admission held = t.admit("k", WINDOW, T0.plusMillis(1200));
        t.undo("k", held); // a hold is not a send: nothing to take back
        assertThat(t.admit("k", WINDOW, T0.plusMillis(1300)).sendNow()).isFalse();
    }

    @Test
    void admit_shouldForgetTheLeastRecentlySentKey_beyondMaxKeys_andThenSendAtOnce() {
        CoalescingThrottle t = new CoalescingThrottle(2);
        t.admit("a", WINDOW, T0);
        t.admit("b", WINDOW, T0);
        t.admit("c", WINDOW, T0);

        assertThat(t.size()).isEqualTo(2);
        assertThat(t.admit("a", WINDOW, T0.plusMillis(1)).sendNow())
                .as("forgetting errs on the side of delivering")
                .isTrue();
        assertThat(t.admit("c", WINDOW, T0.plusMillis(1)).sendNow()).isFalse();
    }
}
