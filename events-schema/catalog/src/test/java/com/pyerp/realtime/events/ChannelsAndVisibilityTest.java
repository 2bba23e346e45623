package com.pyerp.realtime.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    @Test
    void channelNames_followTheOneDefinition_protocolChannelGrammarJson() {
        JsonNode grammar = EventCatalog.readTree(EventCatalog.BASE + ChannelNames.GRAMMAR);
        assertThat(ChannelNames.SEPARATOR).isEqualTo(grammar.get("separator").asString());
        assertThat(ChannelNames.MAX_LENGTH).isEqualTo(grammar.get("maxLength").asInt());
        assertThat(ChannelNames.MAX_SEGMENTS)
                .isEqualTo(grammar.get("maxSegments").asInt());
        assertThat(ChannelNames.SEGMENT_PATTERN)
                .isEqualTo("[" + grammar.get("segmentCharacters").asString() + "]{"
                        + grammar.get("minSegmentLength").asInt() + ","
                        + grammar.get("maxSegmentLength").asInt()
                        + "}");
        assertThat(ChannelNames.DESCRIPTION)
                .isEqualTo("dot-separated segments of [A-Za-z0-9_@-], 1-64 characters each, at most 8 segments"
                        + " and 200 characters");
        // the examples the JS client's unit test runs too (client-js/test/unit/channel.test.js)
        assertThat(ChannelNames.examples("valid"))
                .isNotEmpty()
                .allSatisfy(c -> assertThat(ChannelNames.isValid(c)).as(c).isTrue());
        assertThat(ChannelNames.examples("invalid"))
                .isNotEmpty()
                .allSatisfy(c -> assertThat(ChannelNames.isValid(c)).as(c).isFalse());
    }

    @Test
    void channelNames_loadWithoutJacksonDatabind() throws Exception {
        // a fresh class loader over the same class path: loading ChannelNames and checking a segment must not load
        // databind (a function's cold start loads it only when it needs it, see Json)
        URL[] path = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(p -> {
                    try {
                        return Path.of(p).toUri().toURL();
                    } catch (MalformedURLException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toArray(URL[]::new);
        try (Isolated loader = new Isolated(path)) {
            Class<?> names = Class.forName(ChannelNames.class.getName(), true, loader);
            assertThat(names.getMethod("isValidSegment", String.class).invoke(null, "acme"))
                    .isEqualTo(true);
            assertThat(names.getField("DESCRIPTION").get(null)).isEqualTo(ChannelNames.DESCRIPTION);
            assertThat(loader.loaded("tools.jackson.databind.ObjectMapper")).isFalse();
            assertThat(loader.loaded("tools.jackson.databind.JsonNode")).isFalse();
            // the check can fail: databind used through the catalog does show up in this loader
            Class.forName(EventCatalog.class.getName(), true, loader)
                    .getMethod("readTree", String.class)
                    .invoke(null, EventCatalog.BASE + ChannelNames.GRAMMAR);
            assertThat(loader.loaded("tools.jackson.databind.ObjectMapper")).isTrue();
        }
    }

    private static final class Isolated extends URLClassLoader {
        Isolated(URL[] path) {
            super(path, ClassLoader.getPlatformClassLoader());
        }

        boolean loaded(String name) {
            return findLoadedClass(name) != null;
        }
    }

    @Test
    void schemaPatternsForAChannelSegment_equalTheGrammarsSegment() {
        // JSON Schema cannot import the grammar: the schemas that constrain a value to one channel segment carry a
        // copy, and this test keeps every copy equal to the definition
        String expected = "^" + ChannelNames.SEGMENT_PATTERN + "$";
        for (String schema :
                List.of("schemas/identity/sessions-revoked.json", "schemas/notifications/user-notification.json")) {
            List<String> patterns = new ArrayList<>();
            collectPatterns(EventCatalog.readTree(EventCatalog.BASE + schema), patterns);
            assertThat(patterns).as(schema).contains(expected);
            assertThat(patterns.stream().filter(p -> p.contains("A-Za-z0-9_@")))
                    .as(schema)
                    .allMatch(expected::equals);
        }
    }

    private static void collectPatterns(JsonNode node, List<String> out) {
        if (node.isObject()) {
            JsonNode p = node.get("pattern");
            if (p != null && p.isString()) out.add(p.asString());
        }
        for (JsonNode child : node) collectPatterns(child, out);
    }
}
