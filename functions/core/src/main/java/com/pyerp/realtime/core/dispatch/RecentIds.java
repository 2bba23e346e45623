package com.pyerp.realtime.core.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers keys for a window, bounded in size (oldest first out): the dispatcher's memory of delivered
 * event ids (EventBridge delivers at least once) and of the latest event time per coalescing key.
 * Per container: a new Lambda container starts empty, which the docs state.
 */
public final class RecentIds {
    private record Entry(Instant recordedAt, Instant value) {}

    private final Duration window;
    private final int maxEntries;
    private final LinkedHashMap<String, Entry> seen = new LinkedHashMap<>();

    public RecentIds(Duration window, int maxEntries) {
        this.window = window;
        this.maxEntries = maxEntries;
    }

    /** Records {@code key} and returns true unless it was already recorded within the window. */
    public synchronized boolean firstTime(String key, Instant now) {
        evict(now);
        if (seen.containsKey(key)) return false;
        seen.put(key, new Entry(now, now));
        trim();
        return true;
    }

    /** Forgets a key (a dispatch that failed as a whole, so a retry must go through). */
    public synchronized void forget(String key) {
        seen.remove(key);
    }

    /** The value recorded for key within the window, or null. */
    public synchronized Instant value(String key, Instant now) {
        evict(now);
        Entry e = seen.get(key);
        return e == null ? null : e.value();
    }

    /**
     * Records {@code value} for key unless a later value is already recorded within the window, atomically.
     *
     * @return false when a later value is recorded (the caller's event is superseded)
     */
    public synchronized boolean putIfNotOlder(String key, Instant value, Instant now) {
        Instant prev = value(key, now);
        if (prev != null && value.isBefore(prev)) return false;
        put(key, value, now);
        return true;
    }

    /** Records a value for key (moving it to the newest position). */
    public synchronized void put(String key, Instant value, Instant now) {
        evict(now);
        seen.remove(key);
        seen.put(key, new Entry(now, value));
        trim();
    }

    public synchronized int size() {
        return seen.size();
    }

    /** Drops the oldest entries beyond {@code maxEntries}: called after an insertion, so the bound always holds. */
    private void trim() {
        Iterator<String> it = seen.keySet().iterator();
        while (seen.size() > maxEntries && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    private void evict(Instant now) {
        Iterator<Map.Entry<String, Entry>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Entry> e = it.next();
            if (seen.size() > maxEntries
                    || e.getValue().recordedAt().plus(window).isBefore(now)) it.remove();
            else break;
        }
    }
}
