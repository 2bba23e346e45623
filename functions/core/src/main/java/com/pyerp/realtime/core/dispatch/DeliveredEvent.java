package com.pyerp.realtime.core.dispatch;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * An ERP event as EventBridge delivers it to a target:
 * {@code version, id, detail-type, source, account, time, region, resources, detail}.
 *
 * @param correlationId {@code detail._meta.correlationId} when the publisher set one (an EventBridge entry has no
 *                      free metadata field; see events-schema/README.md), else the EventBridge event id (which
 *                      {@code PutEvents} returns to the publisher as {@code EventId})
 */
public record DeliveredEvent(
        String id,
        String source,
        String detailType,
        Instant time,
        String account,
        String region,
        List<String> resources,
        JsonNode detail,
        String correlationId) {

    /** Reads the EventBridge event shape; throws {@link InvalidEventException} naming what is missing. */
    public static DeliveredEvent fromEventBridge(JsonNode n) {
        if (n == null || !n.isObject()) throw new InvalidEventException(null, "the event is not a JSON object");
        String id = text(n, "id");
        String source = text(n, "source");
        String detailType = text(n, "detail-type");
        List<String> missing = new ArrayList<>();
        if (id == null) missing.add("id");
        if (source == null) missing.add("source");
        if (detailType == null) missing.add("detail-type");
        JsonNode detail = n.get("detail");
        if (detail == null || !detail.isObject()) missing.add("detail (object)");
        if (!missing.isEmpty()) throw new InvalidEventException(id, "the event lacks " + String.join(", ", missing));
        Instant time;
        try {
            String t = text(n, "time");
            time = t == null ? Instant.EPOCH : Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new InvalidEventException(id, "time is not an ISO-8601 instant: " + text(n, "time"));
        }
        List<String> resources = new ArrayList<>();
        for (JsonNode r : n.path("resources")) resources.add(r.asString());
        String correlationId = com.pyerp.realtime.events.Envelope.correlationId(detail, id);
        return new DeliveredEvent(
                id,
                source,
                detailType,
                time,
                text(n, "account"),
                text(n, "region"),
                List.copyOf(resources),
                detail,
                correlationId);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isString() && !v.asString().isEmpty() ? v.asString() : null;
    }
}
