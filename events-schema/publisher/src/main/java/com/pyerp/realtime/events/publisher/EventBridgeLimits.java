package com.pyerp.realtime.events.publisher;

import java.nio.charset.StandardCharsets;

/**
 * EventBridge's {@code PutEvents} limits and its entry-size formula, in one place: the publisher cuts its batches on
 * them, and the local gateway's {@code PutEvents} enforces them with the same code.
 */
public final class EventBridgeLimits {
    /** Entries per {@code PutEvents} call. */
    public static final int MAX_ENTRIES = 10;

    /**
     * The entries of one {@code PutEvents} call together, each counted by {@link #entrySize} (so one entry too):
     * 1 MB since January 2026 (it was 256 KB;
     * https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb).
     */
    public static final int MAX_BYTES = 1024 * 1024;

    /** What {@link #entrySize} adds for an entry that sets {@code Time}. */
    static final int TIME_BYTES = 14;

    private EventBridgeLimits() {}

    /**
     * The size of one entry as EventBridge computes it: the UTF-8 bytes of {@code Source}, {@code DetailType},
     * {@code Detail} and each resource, plus {@value #TIME_BYTES} when {@code Time} is set. Null fields count 0.
     */
    public static int entrySize(
            String source, String detailType, String detail, Iterable<String> resources, boolean hasTime) {
        int size = hasTime ? TIME_BYTES : 0;
        size += utf8(source) + utf8(detailType) + utf8(detail);
        if (resources != null) for (String r : resources) size += utf8(r);
        return size;
    }

    private static int utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
