package com.pyerp.realtime.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.event.ruler.Machine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The catalog's EventBridge rule patterns, matched with Event Ruler (the matcher EventBridge itself uses). */
class RulePatternsTest {
    private static final EventCatalog CATALOG = EventCatalog.load();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static Machine machine;

    @BeforeAll
    static void loadRules() throws Exception {
        machine = Machine.builder().build();
        for (Map.Entry<String, String> r : CATALOG.rulePatterns().entrySet()) machine.addRule(r.getKey(), r.getValue());
    }

    static Stream<Arguments> examples() {
        List<Arguments> out = new ArrayList<>();
        for (EventDefinition e : CATALOG.events()) {
            for (String path : e.examples()) out.add(Arguments.of(e.name(), path));
        }
        return out.stream();
    }

    /** An event as EventBridge delivers it to a rule's target. */
    static String delivered(String source, String detailType, JsonNode detail) {
        ObjectNode ev = JSON.createObjectNode();
        ev.put("version", "0");
        ev.put("id", "0d0e8d8c-7e2b-4a5f-9d8e-1b2c3d4e5f60");
        ev.put("detail-type", detailType);
        ev.put("source", source);
        ev.put("account", "123456789012");
        ev.put("time", "2026-11-25T10:15:00Z");
        ev.put("region", "eu-central-1");
        ev.putArray("resources");
        ev.set("detail", detail);
        return JSON.writeValueAsString(ev);
    }

    @Test
    void onePatternPerSource_namedAfterIt() {
        Set<String> sources = new LinkedHashSet<>();
        CATALOG.events().forEach(e -> sources.add(e.source()));
        assertThat(CATALOG.rulePatterns()).hasSize(sources.size());
        for (String s : sources) assertThat(CATALOG.rulePatterns()).containsKey(EventCatalog.ruleName(s));
        assertThat(CATALOG.rulePatterns().keySet())
                .containsExactly(
                        "erp-inventory",
                        "erp-sales",
                        "erp-production",
                        "erp-notifications",
                        "erp-system",
                        "erp-identity");
    }

    @Test
    void pattern_isEventBridgeJson_listingTheSourceAndEveryDetailType() {
        JsonNode sales = JSON.readTree(CATALOG.rulePatterns().get("erp-sales"));
        assertThat(sales.toString())
                .isEqualTo(
                        "{\"source\":[\"pyerp.sales\"],\"detail-type\":[\"OrderCreated\",\"OrderStatusChanged\",\"OrderShipped\",\"InvoicePosted\"]}");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("examples")
    void example_matchesExactlyTheRuleOfItsSource(String name, String path) throws Exception {
        EventDefinition e = CATALOG.byName(name).orElseThrow();
        String event = delivered(e.source(), e.detailType(), EventCatalog.readTree(EventCatalog.BASE + path));
        assertThat(machine.rulesForJSONEvent(event)).containsExactly(EventCatalog.ruleName(e.source()));
    }

    @Test
    void eventsOutsideTheCatalog_matchNoRule() throws Exception {
        JsonNode detail = EventCatalog.readTree(EventCatalog.BASE + "examples/stock-level-changed.json");
        assertThat(machine.rulesForJSONEvent(delivered("pyerp.inventory", "StockCounted", detail)))
                .isEmpty();
        assertThat(machine.rulesForJSONEvent(delivered("pyerp.inventory", "stocklevelchanged", detail)))
                .isEmpty();
        assertThat(machine.rulesForJSONEvent(delivered("pyerp.warehouse", "StockLevelChanged", detail)))
                .isEmpty();
        assertThat(machine.rulesForJSONEvent(delivered("aws.s3", "Object Created", detail)))
                .isEmpty();
        // a detail-type of another source does not match across sources
        assertThat(machine.rulesForJSONEvent(delivered("pyerp.sales", "StockLevelChanged", detail)))
                .isEmpty();
    }
}
