package com.pyerp.realtime.core.history;

import com.pyerp.realtime.core.registry.RegistryKeys;
import com.pyerp.realtime.events.ChannelFamily;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The channel history in memory: for the local gateway's default registry and the tests. Same contract as the
 * DynamoDB history; expired entries are dropped when the channel is next written or read.
 */
public final class InMemoryChannelHistory implements ChannelHistory {
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    /** Appends since the last sweep of channels whose whole history expired (so a long-running gateway stays small). */
    private final java.util.concurrent.atomic.AtomicInteger sinceSweep =
            new java.util.concurrent.atomic.AtomicInteger();

    static final int SWEEP_EVERY = 4096;

    private static final class Channel {
        String epoch;
        long top;
        Instant expiresAt;
        final TreeMap<Long, Entry> entries = new TreeMap<>();
    }

    private record Entry(Publication publication, Instant expiresAt) {}

    @Override
    public StreamPosition position(String channelKey, Instant now, Duration ttl) {
        Channel c = live(channelKey, now, ttl);
        synchronized (c) {
            return new StreamPosition(c.top, c.epoch);
        }
    }

    @Override
    public Publication append(String channelKey, Publication draft, Instant now, Duration ttl) {
        Objects.requireNonNull(draft, "draft");
        if (sinceSweep.incrementAndGet() >= SWEEP_EVERY) sweep(channelKey, now);
        Channel c = live(channelKey, now, ttl);
        synchronized (c) {
            c.top++;
            Publication p = draft.numbered(c.top, c.epoch);
            Instant exp = now.plus(ttl);
            c.entries.put(c.top, new Entry(p, exp));
            if (exp.isAfter(c.expiresAt)) c.expiresAt = exp;
            return p;
        }
    }

    @Override
    public List<Publication> read(String channelKey, String epoch, long afterOffset, long upToOffset, Instant now) {
        RegistryKeys.channelKey(channelKey);
        Channel c = channels.get(channelKey);
        List<Publication> out = new ArrayList<>();
        if (c == null || upToOffset <= afterOffset) return out;
        synchronized (c) {
            if (!c.epoch.equals(epoch) || !now.isBefore(c.expiresAt)) return out;
            for (Entry e :
                    c.entries.subMap(afterOffset, false, upToOffset, true).values()) {
                if (now.isBefore(e.expiresAt())) out.add(e.publication());
            }
        }
        return out;
    }

    private void sweep(String keep, Instant now) {
        sinceSweep.set(0);
        channels.entrySet().removeIf(e -> {
            if (e.getKey().equals(keep)) return false;
            Channel c = e.getValue();
            synchronized (c) {
                return c.expiresAt != null && !now.isBefore(c.expiresAt);
            }
        });
    }

    /** Number of channels held (expired ones until the next sweep), for tests. */
    int channelCount() {
        return channels.size();
    }

    /** The channel, with a new epoch when it had none or its history expired entirely. */
    private Channel live(String channelKey, Instant now, Duration ttl) {
        RegistryKeys.channelKey(channelKey);
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(ttl, "ttl");
        Channel c = channels.computeIfAbsent(channelKey, k -> new Channel());
        synchronized (c) {
            if (c.epoch == null || !now.isBefore(c.expiresAt)) {
                c.epoch = Epochs.next();
                c.top = 0;
                c.entries.clear();
                c.expiresAt = now.plus(ttl);
            } else {
                // oldest first: drop the expired ones and those beyond the largest history a family may keep
                while (!c.entries.isEmpty()
                        && (c.entries.size() > ChannelFamily.History.MAX_SIZE
                                || !now.isBefore(
                                        c.entries.firstEntry().getValue().expiresAt()))) {
                    c.entries.pollFirstEntry();
                }
            }
            return c;
        }
    }
}
