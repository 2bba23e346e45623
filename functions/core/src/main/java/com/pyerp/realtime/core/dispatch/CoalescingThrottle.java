package com.pyerp.realtime.core.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * A leading- and trailing-edge throttle per coalescing key (the catalog's {@code coalesce.windowMillis}): the first
 * event of a key goes out at once; an event of the same key within the window after a delivery is <em>held</em>
 * until the window ends, and then goes out if nothing newer of its key came meanwhile (the dispatcher's staleness
 * check drops the superseded ones), so the latest always arrives and a key gets at most one delivery per window.
 *
 * <p>Holding is the caller's business: the dispatcher reports the hold, and the SQS batch processor makes the queue
 * hand the record back when the window ends (ChangeMessageVisibility), so no invocation sleeps through a window.
 *
 * <p>State is per dispatcher instance, i.e. per warm Lambda container (and one for the whole local gateway). Two
 * containers dispatching the same key each throttle on their own, so a key can get up to one delivery per window per
 * container (more updates than the throttle promises, never fewer: the latest still arrives); a new container starts
 * without memory and delivers at once. At most {@code maxKeys} keys are remembered (least recently delivered dropped
 * first, which again errs on the side of delivering). Time is passed in, so tests drive it.
 */
public final class CoalescingThrottle {
    /**
     * The throttle's answer for one event.
     *
     * @param holdFor zero: deliver now (the send time is recorded); positive: hold the event for this long
     * @param previous the key's send time before this admission (for {@link #undo}); null when it had none
     * @param sentAt the send time recorded by this admission; null when held
     */
    public record Admission(Duration holdFor, Instant previous, Instant sentAt) {
        public boolean sendNow() {
            return holdFor.isZero();
        }
    }

    private final int maxKeys;
    private final LinkedHashMap<String, Instant> lastSent = new LinkedHashMap<>();

    public CoalescingThrottle(int maxKeys) {
        if (maxKeys < 1) throw new IllegalArgumentException("maxKeys must be at least 1, got " + maxKeys);
        this.maxKeys = maxKeys;
    }

    /** Admits an event of {@code key} at {@code now}: deliver now (recorded as the key's send time) or hold. */
    public synchronized Admission admit(String key, Duration window, Instant now) {
        Instant last = lastSent.get(key);
        if (last != null && !window.isNegative() && !window.isZero()) {
            Instant windowEnd = last.plus(window);
            if (now.isBefore(windowEnd)) return new Admission(Duration.between(now, windowEnd), last, null);
        }
        lastSent.remove(key);
        lastSent.put(key, now);
        Iterator<String> it = lastSent.keySet().iterator();
        while (lastSent.size() > maxKeys && it.hasNext()) {
            it.next();
            it.remove();
        }
        return new Admission(Duration.ZERO, last, now);
    }

    /**
     * Takes back a send admission whose delivery failed, so its retry is not held behind a delivery that did not
     * happen; a no-op when the key was sent again since.
     */
    public synchronized void undo(String key, Admission admission) {
        if (!admission.sendNow() || !admission.sentAt().equals(lastSent.get(key))) return;
        if (admission.previous() == null) lastSent.remove(key);
        else lastSent.put(key, admission.previous());
    }

    public synchronized int size() {
        return lastSent.size();
    }
}
