package com.pyerp.realtime.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class ChannelsAndVisibilityTest {
    private static final EventCatalog CATALOG = EventCatalog.load();

    private static EventDefinition event(String name) {
        return CATALOG.byName(name).orElseThrow();
    }

    private static JsonNode example(String file) {
        return EventCatalog.readTree(EventCatalog.BASE + "examples/" + file);
    }

    @Test
    void channelsFor_derivesChannelsFromDetailFields() {
        assertThat(event("stock-level-changed").channelsFor(example("stock-level-changed.json")))
                .containsExactly("inventory.warehouse.WH-1", "inventory.sku.SKU-1001");
        assertThat(event("low-stock-alert").channelsFor(example("low-stock-alert.json")))
                .containsExactly("inventory.warehouse.WH-1", "inventory.alerts.WH-1", "inventory.sku.SKU-1001");
        assertThat(event("order-shipped").channelsFor(example("order-shipped.json")))
                .containsExactly("sales.orders", "sales.order.SO-20931", "inventory.warehouse.WH-1");
        assertThat(event("user-notification").channelsFor(example("user-notification-many.json")))
                .containsExactly("user.alice", "user.bob", "user.carol@plant-2");
        assertThat(event("maintenance-notice").channelsFor(example("maintenance-notice.json")))
                .containsExactly("system.broadcast");
    }

    @Test
    void channelsFor_skipsATemplateWhoseOptionalFieldIsAbsent() {
        assertThat(event("kpi-updated").channelsFor(example("kpi-updated.json")))
                .containsExactly("production.kpi", "production.line.L2");
        assertThat(event("kpi-updated").channelsFor(example("kpi-updated-plant.json")))
                .containsExactly("production.kpi");
        // an invoice without an order only reaches finance
        ObjectNode invoice = (ObjectNode) example("invoice-posted.json").deepCopy();
        invoice.remove("orderId");
        assertThat(event("invoice-posted").channelsFor(invoice)).containsExactly("sales.invoices");
    }

    @Test
    void matchChannel_findsFamilyAndParams_orNothing() {
        EventCatalog.ChannelMatch m =
                CATALOG.matchChannel("production.machine.CNC-04").orElseThrow();
        assertThat(m.family().pattern()).isEqualTo("production.machine.{machineId}");
        assertThat(m.params()).isEqualTo(Map.of("machineId", "CNC-04"));
        assertThat(CATALOG.matchChannel("production.machines")).isEmpty();
        assertThat(CATALOG.matchChannel("sales.order.SO 1")).isEmpty();
        assertThat(CATALOG.matchChannel("sales.orders.extra")).isEmpty();
    }

    @Test
    void permits_appliesRolesScopesAndOwnership() {
        ChannelFamily wh =
                CATALOG.matchChannel("inventory.alerts.WH-1").orElseThrow().family();
        Map<String, String> p = Map.of("warehouseId", "WH-1");
        assertThat(wh.permits(p, "u1", Set.of("inventory:read"), Map.of("warehouses", Set.of("WH-1"))))
                .isTrue();
        assertThat(wh.permits(p, "u1", Set.of("inventory:read"), Map.of("warehouses", Set.of("*"))))
                .isTrue();
        assertThat(wh.permits(p, "u1", Set.of("inventory:read"), Map.of("warehouses", Set.of("WH-2"))))
                .isFalse();
        assertThat(wh.permits(p, "u1", Set.of("sales:read"), Map.of("warehouses", Set.of("*"))))
                .isFalse();

        ChannelFamily machine =
                CATALOG.matchChannel("production.machine.M1").orElseThrow().family();
        assertThat(machine.permits(Map.of("machineId", "M1"), "u", Set.of("maintenance:read"), Map.of()))
                .isTrue();
        assertThat(machine.permits(Map.of("machineId", "M1"), "u", Set.of("dashboard:read"), Map.of()))
                .isFalse();

        ChannelFamily user = CATALOG.matchChannel("user.alice").orElseThrow().family();
        assertThat(user.permits(Map.of("userId", "alice"), "alice", Set.of(), Map.of()))
                .isTrue();
        assertThat(user.permits(Map.of("userId", "alice"), "bob", Set.of("sales:finance"), Map.of()))
                .isFalse();

        ChannelFamily broadcast =
                CATALOG.matchChannel("system.broadcast").orElseThrow().family();
        assertThat(broadcast.permits(Map.of(), "anyone", Set.of(), Map.of())).isTrue();
    }

    @Test
    void visibleTo_hidesPricesInArraysFromWarehouseStaff_andKeepsThemForSales() {
        EventDefinition shipped = event("order-shipped");
        JsonNode detail = example("order-shipped.json");

        JsonNode warehouse = shipped.visibleTo(detail, Set.of("inventory:read"));
        assertThat(warehouse.get("lines").get(0).has("unitPrice")).isFalse();
        assertThat(warehouse.get("lines").get(1).has("unitPrice")).isFalse();
        assertThat(warehouse.get("lines").get(0).get("sku").asString()).isEqualTo("SKU-1001");
        assertThat(warehouse.has("_meta"))
                .as("_meta is envelope metadata, never data")
                .isFalse();

        JsonNode sales = shipped.visibleTo(detail, Set.of("sales:read"));
        assertThat(sales.get("lines").get(0).get("unitPrice").asDouble()).isEqualTo(199.0);
        assertThat(sales.has("_meta")).isFalse();

        assertThat(detail.get("lines").get(0).has("unitPrice"))
                .as("the input is never modified")
                .isTrue();
        assertThat(detail.has("_meta")).isTrue();
    }

    @Test
    void visibleTo_hidesTopLevelAmounts_andReturnsTheSameNodeWhenNothingIsHidden() {
        EventDefinition invoice = event("invoice-posted");
        JsonNode detail = example("invoice-posted.json");
        JsonNode clerk = invoice.visibleTo(detail, Set.of("sales:read"));
        assertThat(clerk.has("netAmount") || clerk.has("taxAmount") || clerk.has("totalAmount"))
                .isFalse();
        assertThat(clerk.get("invoiceId").asString()).isEqualTo("INV-2026-004417");
        assertThat(invoice.visibleTo(detail, Set.of("sales:finance"))).isSameAs(detail);
    }

    @Test
    void visibilityKey_separatesOnlyTheRoleSetsThatSeeDifferentData() {
        EventDefinition invoice = event("invoice-posted");
        assertThat(invoice.visibilityKey(Set.of("sales:read")))
                .isEqualTo(invoice.visibilityKey(Set.of("sales:read", "inventory:read")));
        assertThat(invoice.visibilityKey(Set.of("sales:read")))
                .isNotEqualTo(invoice.visibilityKey(Set.of("sales:finance")));
        assertThat(event("maintenance-notice").visibilityKey(Set.of("sales:finance")))
                .isEqualTo("");
    }

    @Test
    void coalesceKey_isPerEventAndFields() {
        JsonNode a = example("stock-level-changed.json");
        ObjectNode sameSkuOtherWarehouse = (ObjectNode) a.deepCopy();
        sameSkuOtherWarehouse.put("warehouseId", "WH-2");
        EventDefinition stock = event("stock-level-changed");
        assertThat(stock.coalesceKey(a)).contains("stock-level-changed|WH-1/SKU-1001");
        assertThat(stock.coalesceKey(sameSkuOtherWarehouse)).contains("stock-level-changed|WH-2/SKU-1001");
        assertThat(stock.coalesce())
                .get()
                .extracting(EventDefinition.Coalesce::windowMillis)
                .isEqualTo(1000L);
        assertThat(event("kpi-updated").coalesceKey(example("kpi-updated-plant.json")))
                .contains("kpi-updated|on_time_delivery/");
        assertThat(event("order-created").coalesceKey(example("order-created.json")))
                .isEmpty();
    }

    @Test
    void channelNames_grammar() {
        assertThat(ChannelNames.isValid("inventory.warehouse.WH-1")).isTrue();
        assertThat(ChannelNames.isValid("user.carol@plant-2")).isTrue();
        assertThat(ChannelNames.isValid("a.b.c.d.e.f.g.h")).isTrue();
        assertThat(ChannelNames.isValid("a.b.c.d.e.f.g.h.i")).isFalse();
        assertThat(ChannelNames.isValid("inventory..WH-1")).isFalse();
        assertThat(ChannelNames.isValid("inventory.warehouse.WH 1")).isFalse();
        assertThat(ChannelNames.isValid("x".repeat(65))).isFalse();
        assertThat(ChannelNames.isValid(null)).isFalse();
    }
}
