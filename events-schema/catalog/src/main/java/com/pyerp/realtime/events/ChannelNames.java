package com.pyerp.realtime.events;

import java.util.regex.Pattern;

/**
 * The channel grammar of the client protocol: dot-separated segments of {@code [A-Za-z0-9_@-]},
 * each 1 to 64 characters, at most 8 segments and 200 characters in all.
 * Example: {@code inventory.warehouse.WH-1}.
 */
public final class ChannelNames {
    public static final int MAX_LENGTH = 200;
    public static final int MAX_SEGMENTS = 8;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_@-]{1,64}");

    private ChannelNames() {}

    /** True when {@code channel} follows the grammar. Never throws. */
    public static boolean isValid(String channel) {
        if (channel == null || channel.isEmpty() || channel.length() > MAX_LENGTH) return false;
        String[] parts = channel.split("\\.", -1);
        if (parts.length > MAX_SEGMENTS) return false;
        for (String p : parts) {
            if (!SEGMENT.matcher(p).matches()) return false;
        }
        return true;
    }

    /** True when one value may fill a {@code {param}} segment of a channel template. */
    public static boolean isValidSegment(String value) {
        return value != null && SEGMENT.matcher(value).matches();
    }
}
