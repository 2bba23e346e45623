package com.pyerp.realtime.events;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The fields of a delivered EventBridge event the dispatcher uses: {@code id}, {@code source}, {@code detail-type},
 * {@code time} and {@code detail} (the delivered event also has {@code version}, {@code account}, {@code region},
 * {@code resources}, which nothing here needs).
 */
public record EventBridgeEvent(String id, String source, String detailType, String time, JsonNode detail) {

    /**
     * Reads an EventBridge event as delivered to a target.
     *
     * @throws IllegalArgumentException naming every missing or mistyped field
     */
    public static EventBridgeEvent from(JsonNode event) {
        if (event == null || !event.isObject())
            throw new IllegalArgumentException("an EventBridge event must be a JSON object");
        List<String> problems = new ArrayList<>();
        String id = text(event, "id", problems);
        String source = text(event, "source", problems);
        String detailType = text(event, "detail-type", problems);
        String time = text(event, "time", problems);
        JsonNode detail = event.get("detail");
        if (detail == null || !detail.isObject()) problems.add("detail must be a JSON object");
        if (!problems.isEmpty())
            throw new IllegalArgumentException("not an EventBridge event: " + String.join("; ", problems));
        return new EventBridgeEvent(id, source, detailType, time, detail);
    }

    /** {@code detail._meta.correlationId}, or the event id when the publisher set none. */
    public String correlationId() {
        return Envelope.correlationId(detail, id);
    }

    /** The tenant the event belongs to ({@code detail.<tenantField>}), or null when absent. */
    public String tenant(String tenantField) {
        JsonNode t = detail.get(tenantField);
        return t != null && t.isString() ? t.asString() : null;
    }

    private static String text(JsonNode n, String field, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || !v.isString() || v.asString().isEmpty()) {
            problems.add(field + " must be a non-empty string");
            return null;
        }
        return v.asString();
    }
}
