package com.pyerp.realtime.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class EnvelopeTest {
    private static final EventCatalog CATALOG = EventCatalog.load();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ObjectNode delivered(String file, String source, String detailType) {
        ObjectNode ev = JSON.createObjectNode();
        ev.put("version", "0");
        ev.put("id", "e-1");
        ev.put("detail-type", detailType);
        ev.put("source", source);
        ev.put("account", "123456789012");
        ev.put("time", "2026-11-25T14:30:00Z");
        ev.put("region", "eu-central-1");
        ev.putArray("resources");
        ev.set("detail", EventCatalog.readTree(EventCatalog.BASE + "examples/" + file));
        return ev;
    }

    @Test
    void eventFrameJson_writesTheDocumentedFieldsInOrder_withTheCorrelationIdFromMeta() {
        EventDefinition shipped = CATALOG.byName("order-shipped").orElseThrow();
        JsonNode detail =
                delivered("order-shipped.json", "pyerp.sales", "OrderShipped").get("detail");

        String frame = Envelope.eventFrameJson(
                "inventory.warehouse.WH-1",
                "OrderShipped",
                "pyerp.sales",
                "e-1",
                "2026-11-25T14:30:00Z",
                Envelope.correlationId(detail, "e-1"),
                shipped.visibleTo(detail, Set.of("inventory:read")));

        JsonNode f = JSON.readTree(frame);
        List<String> names = new ArrayList<>(f.propertyNames());
        assertThat(names)
                .containsExactly("type", "channel", "eventType", "source", "eventId", "time", "correlationId", "data");
        assertThat(f.get("type").asString()).isEqualTo("event");
        assertThat(f.get("eventType").asString()).isEqualTo("OrderShipped");
        assertThat(f.get("source").asString()).isEqualTo("pyerp.sales");
        assertThat(f.get("eventId").asString()).isEqualTo("e-1");
        assertThat(f.get("time").asString()).isEqualTo("2026-11-25T14:30:00Z");
        assertThat(f.get("correlationId").asString()).isEqualTo("9d2c5c1e-4b8a-4f39-a1a7-0d4b1b2f5e10");
        assertThat(f.get("data").has("_meta")).isFalse();
        assertThat(f.get("data").get("lines").get(0).has("unitPrice")).isFalse();
        assertThat(ProtocolSchemas.validateServerFrame(f)).isEmpty();
    }

    @Test
    void correlationId_fallsBackToTheEventId() {
        JsonNode detail = delivered("stock-level-changed.json", "pyerp.inventory", "StockLevelChanged")
                .get("detail");
        assertThat(Envelope.correlationId(detail, "e-1")).isEqualTo("e-1");
        assertThat(Envelope.correlationId(JSON.readTree("{\"_meta\":{\"correlationId\":\"\"}}"), "e-2"))
                .isEqualTo("e-2");
        assertThat(Envelope.correlationId(JSON.readTree("{\"_meta\":{\"correlationId\":42}}"), "e-2"))
                .isEqualTo("e-2");
        assertThat(Envelope.correlationId(
                        JSON.readTree("{\"_meta\":{\"correlationId\":\"" + "x".repeat(129) + "\"}}"), "e-2"))
                .isEqualTo("e-2");
        assertThat(Envelope.correlationId(JSON.readTree("{\"_meta\":{\"correlationId\":\"req-7\"}}"), "e-2"))
                .isEqualTo("req-7");
    }

    @Test
    void eventFrame_validatesForEveryExample() {
        for (EventDefinition e : CATALOG.events()) {
            for (JsonNode d : e.exampleDetails()) {
                for (String ch : e.channelsFor(d)) {
                    JsonNode f = Envelope.eventFrame(
                            ch,
                            e.detailType(),
                            e.source(),
                            "id-1",
                            "2026-11-25T10:00:00Z",
                            Envelope.correlationId(d, "id-1"),
                            e.visibleTo(d, Set.of()));
                    assertThat(ProtocolSchemas.validateServerFrame(f))
                            .as(e.name() + " on " + ch)
                            .isEmpty();
                }
            }
        }
    }
}
