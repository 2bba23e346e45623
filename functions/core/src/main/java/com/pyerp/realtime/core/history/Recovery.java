package com.pyerp.realtime.core.history;

import com.pyerp.realtime.events.ChannelFamily;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Decides whether a client's position can be recovered from a channel's history (docs/protocol.md, "Recovery"):
 * only when the epoch is the channel's current one, the position is not ahead of the channel, at most
 * {@code history.size} events were missed, and every one of them is still kept (none expired, none too big to keep).
 *
 * @param position     the channel's current position (always in the ack)
 * @param recovered    null when no recovery was asked for
 * @param publications the missed events in offset order, when recovered
 */
public record Recovery(StreamPosition position, Boolean recovered, List<Publication> publications) {

    public static Recovery of(
            ChannelHistory history, String channelKey, ChannelFamily.History policy, StreamPosition from, Instant now) {
        Duration ttl = Duration.ofSeconds(policy.ttlSeconds());
        StreamPosition pos = history.position(channelKey, now, ttl);
        if (from == null) return new Recovery(pos, null, List.of());
        if (!pos.epoch().equals(from.epoch()) || from.offset() > pos.offset()) return notRecovered(pos);
        long missed = pos.offset() - from.offset();
        if (missed == 0) return new Recovery(pos, true, List.of());
        if (missed > policy.size()) return notRecovered(pos);
        List<Publication> kept = history.read(channelKey, pos.epoch(), from.offset(), pos.offset(), now);
        if (kept.size() != missed) return notRecovered(pos);
        long expect = from.offset() + 1;
        for (Publication p : kept) {
            if (p.offset() != expect++ || p.detail() == null) return notRecovered(pos);
        }
        return new Recovery(pos, true, List.copyOf(kept));
    }

    public static Recovery notRecovered(StreamPosition pos) {
        return new Recovery(pos, false, List.of());
    }
}
