package com.pyerp.realtime.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class DeliveredEventTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ObjectNode delivered() {
        return (ObjectNode) JSON.readTree("""
                {"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"StockLevelChanged",
                 "source":"pyerp.inventory","account":"123456789012","time":"2026-11-25T10:15:00Z","region":"eu-central-1",
                 "resources":["arn:aws:events:eu-central-1:123456789012:event-bus/erp-events"],
                 "detail":{"tenantId":"acme","warehouseId":"WH-1","sku":"SKU-1001","onHand":42,"available":40,"changedAt":"2026-11-25T10:15:00Z"}}
                """);
    }

    @Test
    void fromEventBridge_shouldReadEveryField() {
        DeliveredEvent e = DeliveredEvent.fromEventBridge(delivered());

        assertThat(e.id()).isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
        assertThat(e.source()).isEqualTo("pyerp.inventory");
        assertThat(e.detailType()).isEqualTo("StockLevelChanged");
        assertThat(e.time()).isEqualTo(Instant.parse("2026-11-25T10:15:00Z"));
        assertThat(e.account()).isEqualTo("123456789012");
        assertThat(e.region()).isEqualTo("eu-central-1");
        assertThat(e.resources()).containsExactly("arn:aws:events:eu-central-1:123456789012:event-bus/erp-events");
        assertThat(e.detail().get("sku").asString()).isEqualTo("SKU-1001");
    }

    @Test
    void fromEventBridge_shouldTakeTheCorrelationIdFromMeta_elseTheEventId() {
        ObjectNode withMeta = delivered();
        ((ObjectNode) withMeta.get("detail")).putObject("_meta").put("correlationId", "req-7");
        ObjectNode blankMeta = delivered();
        ((ObjectNode) blankMeta.get("detail")).putObject("_meta").put("correlationId", " ");
        ObjectNode topLevel = delivered();
        ((ObjectNode) topLevel.get("detail")).put("correlationId", "not-here");

        assertThat(DeliveredEvent.fromEventBridge(withMeta).correlationId()).isEqualTo("req-7");
        assertThat(DeliveredEvent.fromEventBridge(blankMeta).correlationId())
                .isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
        assertThat(DeliveredEvent.fromEventBridge(topLevel).correlationId())
                .isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
        assertThat(DeliveredEvent.fromEventBridge(delivered()).correlationId())
                .isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718");
    }

    @Test
    void fromEventBridge_shouldNameEveryMissingField() {
        ObjectNode n = delivered();
        n.remove("source");
        n.remove("detail-type");
        n.put("detail", "not an object");

        assertThatThrownBy(() -> DeliveredEvent.fromEventBridge(n))
                .isInstanceOfSatisfying(
                        InvalidEventException.class,
                        e -> assertThat(e.eventId()).isEqualTo("6a7e8feb-b491-4cf7-a9f1-bf3703467718"))
                .hasMessageContaining("source")
                .hasMessageContaining("detail-type")
                .hasMessageContaining("detail (object)");
    }

    @Test
    void fromEventBridge_shouldRefuseABadTime_andANonObject() {
        ObjectNode n = delivered().put("time", "yesterday");

        assertThatThrownBy(() -> DeliveredEvent.fromEventBridge(n))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("yesterday");
        assertThatThrownBy(() -> DeliveredEvent.fromEventBridge(JSON.readTree("[1]")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> DeliveredEvent.fromEventBridge(null)).isInstanceOf(InvalidEventException.class);
    }
}
