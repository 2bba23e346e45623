package com.pyerp.realtime.core.history;

import java.util.Objects;

/**
 * A position in a channel's history: the offset of the channel's latest event ({@code 0} before the first) and the
 * epoch the offsets count in. The epoch changes when the channel's history is lost or reset, so an offset of one
 * epoch means nothing in another.
 */
public record StreamPosition(long offset, String epoch) {
    public StreamPosition {
        if (offset < 0) throw new IllegalArgumentException("offset must not be negative, got " + offset);
        Objects.requireNonNull(epoch, "epoch");
    }
}
