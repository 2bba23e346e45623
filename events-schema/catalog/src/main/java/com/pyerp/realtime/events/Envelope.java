package com.pyerp.realtime.events;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Formats the server {@code event} frame of the client protocol ({@code docs/protocol.md},
 * {@code protocol/server-frame.schema.json#/definitions/event}):
 * <pre>{"type":"event","channel":…,"eventType":…,"source":…,"eventId":…,"time":…,"correlationId":…,"data":{…}}</pre>
 *
 * <p>Correlation: an EventBridge entry has no free metadata field, so the publisher carries the correlation id
 * inside {@code detail} as {@code _meta.correlationId} (every schema allows {@code _meta}). {@link #correlationId}
 * reads it back and falls back to the EventBridge event id. {@code _meta} is never part of {@code data}.
 */
public final class Envelope {
    /** The field of {@code _meta} that carries the correlation id. */
    public static final String CORRELATION_ID = "correlationId";
    /** Longest correlation id taken from an event; a longer one is ignored (the event id is used). */
    public static final int MAX_CORRELATION_ID = 128;

    private Envelope() {}

    /**
     * The event frame, fields in the documented order. {@code data} is put as given: pass
     * {@link EventDefinition#visibleTo} of the detail, which removes the fields the subscriber may not see and {@code _meta}.
     */
    public static ObjectNode eventFrame(
            String channel,
            String eventType,
            String source,
            String eventId,
            String time,
            String correlationId,
            JsonNode data) {
        ObjectNode f = Json.mapper().createObjectNode();
        f.put("type", "event");
        f.put("channel", channel);
        f.put("eventType", eventType);
        f.put("source", source);
        f.put("eventId", eventId);
        f.put("time", time);
        f.put("correlationId", correlationId);
        f.set("data", data == null ? Json.mapper().createObjectNode() : data);
        return f;
    }

    /**
     * {@link #eventFrame} on a channel with history: the frame also carries the event's {@code offset} in the channel
     * and the history's {@code epoch} (docs/protocol.md, "Recovery").
     */
    public static ObjectNode eventFrame(
            String channel,
            String eventType,
            String source,
            String eventId,
            String time,
            String correlationId,
            JsonNode data,
            long offset,
            String epoch) {
        return withPosition(eventFrame(channel, eventType, source, eventId, time, correlationId, data), offset, epoch);
    }

    /** Adds the event's {@code offset} in its channel and the history's {@code epoch} to an event frame. @return it */
    public static ObjectNode withPosition(ObjectNode frame, long offset, String epoch) {
        frame.put("offset", offset);
        frame.put("epoch", epoch);
        return frame;
    }

    /** {@link #eventFrame} as the JSON text posted to the connection. */
    public static String eventFrameJson(
            String channel,
            String eventType,
            String source,
            String eventId,
            String time,
            String correlationId,
            JsonNode data) {
        return Json.mapper()
                .writeValueAsString(eventFrame(channel, eventType, source, eventId, time, correlationId, data));
    }

    /**
     * {@code detail._meta.correlationId} when it is a non-blank string of at most {@value #MAX_CORRELATION_ID}
     * characters, else {@code eventId}.
     */
    public static String correlationId(JsonNode detail, String eventId) {
        if (detail != null) {
            JsonNode c = detail.path(EventCatalog.META_FIELD).path(CORRELATION_ID);
            if (c.isString()) {
                String v = c.asString();
                if (!v.isBlank() && v.length() <= MAX_CORRELATION_ID) return v;
            }
        }
        return eventId;
    }
}
