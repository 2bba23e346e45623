package com.pyerp.realtime.events;

import tools.jackson.databind.JsonNode;

/**
 * The size limits of the client protocol, read from {@code protocol/limits.json} (their one definition, which the
 * JS client can read too): {@link #MAX_FRAME_BYTES} for one WebSocket frame, {@link #MAX_MESSAGE_BYTES} for one whole
 * message. Both are API Gateway's quotas, in UTF-8 bytes as the application sees them.
 */
public final class ProtocolLimits {
    public static final String LIMITS = "protocol/limits.json";

    /** One WebSocket frame: 32 KB. Over it the socket closes with 1009; server messages are split into frames of it. */
    public static final int MAX_FRAME_BYTES;

    /** One WebSocket message, whole, either direction: 128 KB (a client message may span several frames up to it). */
    public static final int MAX_MESSAGE_BYTES;

    static {
        JsonNode limits = EventCatalog.readTree(EventCatalog.BASE + LIMITS).path("limits");
        MAX_FRAME_BYTES = bytes(limits, "MAX_FRAME_BYTES");
        MAX_MESSAGE_BYTES = bytes(limits, "MAX_MESSAGE_BYTES");
        if (MAX_FRAME_BYTES > MAX_MESSAGE_BYTES)
            throw new CatalogException(LIMITS + ": MAX_FRAME_BYTES must not exceed MAX_MESSAGE_BYTES");
    }

    private ProtocolLimits() {}

    private static int bytes(JsonNode limits, String name) {
        JsonNode n = limits.path(name).path("bytes");
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1)
            throw new CatalogException(LIMITS + ": limits." + name + ".bytes must be a positive integer");
        return n.asInt();
    }
}
