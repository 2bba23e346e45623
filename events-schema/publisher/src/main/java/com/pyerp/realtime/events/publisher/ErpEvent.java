package com.pyerp.realtime.events.publisher;

import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.EventDefinition;
import java.time.Instant;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * One ERP event to publish: its EventBridge {@code source} and {@code detail-type}, its {@code detail}, and optionally
 * the event time and a correlation id (when absent the publisher generates one; see {@link ErpEventPublisher}).
 *
 * @param source        e.g. {@code pyerp.inventory}
 * @param detailType    e.g. {@code StockLevelChanged}
 * @param detail        the event's data; must validate against the catalog schema, including {@code tenantId}
 * @param time          the EventBridge event time, or null for "when EventBridge receives it"
 * @param correlationId carried as {@code detail._meta.correlationId}, or null to let the publisher choose
 */
public record ErpEvent(String source, String detailType, JsonNode detail, Instant time, String correlationId) {
    public ErpEvent {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(detailType, "detailType");
        Objects.requireNonNull(detail, "detail");
    }

    /** An event of the given catalog definition. */
    public static ErpEvent of(EventDefinition definition, JsonNode detail) {
        return new ErpEvent(definition.source(), definition.detailType(), detail, null, null);
    }

    /**
     * An event by catalog name ({@code stock-level-changed}).
     *
     * @throws IllegalArgumentException when the catalog has no such event
     */
    public static ErpEvent of(String name, JsonNode detail) {
        EventDefinition d = EventCatalog.load()
                .byName(name)
                .orElseThrow(() -> new IllegalArgumentException("no event named '" + name + "' in the catalog"));
        return of(d, detail);
    }

    public ErpEvent withTime(Instant t) {
        return new ErpEvent(source, detailType, detail, t, correlationId);
    }

    public ErpEvent withCorrelationId(String id) {
        return new ErpEvent(source, detailType, detail, time, id);
    }
}
