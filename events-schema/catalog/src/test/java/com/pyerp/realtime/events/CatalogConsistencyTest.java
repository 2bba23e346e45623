package com.pyerp.realtime.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class CatalogConsistencyTest {
    private static final EventCatalog CATALOG = EventCatalog.load();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static Stream<Arguments> validExamples() {
        List<Arguments> out = new ArrayList<>();
        for (EventDefinition e : CATALOG.events()) {
            for (String path : e.examples()) out.add(Arguments.of(e.name(), path));
        }
        return out.stream();
    }

    static Stream<Arguments> invalidExamples() {
        List<Arguments> out = new ArrayList<>();
        for (EventDefinition e : CATALOG.events()) {
            for (EventDefinition.InvalidExample c : e.invalidExampleCases())
                out.add(Arguments.of(e.name(), c.why(), c));
        }
        return out.stream();
    }

    @Test
    void catalog_isInternallyConsistent() {
        assertThat(CATALOG.verify()).isEmpty();
    }

    @Test
    void catalog_coversTheDomainsPyErpNeeds() {
        assertThat(CATALOG.events())
                .extracting(EventDefinition::name)
                .contains(
                        "stock-level-changed",
                        "stock-reserved",
                        "stock-released",
                        "low-stock-alert",
                        "order-created",
                        "order-status-changed",
                        "order-shipped",
                        "invoice-posted",
                        "production-order-status-changed",
                        "machine-status-changed",
                        "kpi-updated",
                        "user-notification",
                        "maintenance-notice");
        assertThat(CATALOG.events())
                .extracting(EventDefinition::source)
                .containsOnly(
                        "pyerp.inventory",
                        "pyerp.sales",
                        "pyerp.production",
                        "pyerp.notifications",
                        "pyerp.system",
                        "pyerp.identity");
    }

    @Test
    void everyEvent_hasValidAndInvalidExamples() {
        for (EventDefinition e : CATALOG.events()) {
            assertThat(e.examples()).as(e.name()).isNotEmpty();
            assertThat(e.invalidExampleCases()).as(e.name()).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("validExamples")
    void validExample_passesItsSchema(String event, String path) {
        EventDefinition e = CATALOG.byName(event).orElseThrow();
        JsonNode detail = EventCatalog.readTree(EventCatalog.BASE + path);
        assertThat(e.validate(detail)).isEmpty();
        assertThat(detail.path(CATALOG.tenantField()).asString()).isNotBlank();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalidExamples")
    void invalidExample_failsForTheStatedReason(String event, String why, EventDefinition.InvalidExample c) {
        List<String> errors = CATALOG.byName(event).orElseThrow().validate(c.detail());
        assertThat(errors).as(why).isNotEmpty();
        assertThat(errors).as(why).anyMatch(m -> m.contains(c.expect()));
    }

    @Test
    void validate_reportsReadableLocations() {
        EventDefinition e = CATALOG.byName("order-created").orElseThrow();
        ObjectNode d = (ObjectNode) e.exampleDetails().get(0).deepCopy();
        ((ObjectNode) d.get("lines").get(1)).remove("sku");
        d.put("currency", "euro");
        assertThat(e.validate(d))
                .containsExactlyInAnyOrder(
                        "$.lines.1: required property 'sku' not found",
                        "$.currency: does not match the regex pattern ^[A-Z]{3}$");
        assertThat(e.validate(JSON.readTree("[1]"))).containsExactly("$: detail must be a JSON object");
    }

    @Test
    void everySchema_isDraft04_requiresTheTenant_andAllowsMeta() {
        for (EventDefinition e : CATALOG.events()) {
            JsonNode s = e.schemaNode();
            assertThat(s.path("$schema").asString()).as(e.name()).isEqualTo("http://json-schema.org/draft-04/schema#");
            assertThat(s.path("required").toString()).as(e.name()).contains("\"tenantId\"");
            assertThat(s.path("properties").has("_meta")).as(e.name()).isTrue();
            assertThat(s.toString())
                    .as(e.name() + " must be self-contained for the Schema Registry")
                    .doesNotContain("$ref");
        }
    }

    @Test
    void statedPermission_followsFromTheChannelFamilies() {
        for (EventDefinition e : CATALOG.events()) {
            assertThat(e.permission()).as(e.name()).isEqualTo(CATALOG.permissionOf(e));
        }
        assertThat(CATALOG.permissionOf(CATALOG.byName("order-shipped").orElseThrow()))
                .isEqualTo(new Permission(Set.of("sales:read", "inventory:read"), false, false));
        assertThat(CATALOG.permissionOf(CATALOG.byName("user-notification").orElseThrow()))
                .isEqualTo(new Permission(Set.of(), true, false));
        assertThat(CATALOG.permissionOf(CATALOG.byName("maintenance-notice").orElseThrow()))
                .isEqualTo(new Permission(Set.of(), false, true));
    }

    @Test
    void everyFamily_isUsedByAnEvent_andResolvesItsOwnChannels() {
        Set<String> used = CATALOG.events().stream()
                .flatMap(e -> CATALOG.familiesOf(e).stream())
                .map(ChannelFamily::pattern)
                .collect(Collectors.toSet());
        assertThat(CATALOG.channelFamilies()).extracting(ChannelFamily::pattern).allMatch(used::contains);
        for (ChannelFamily f : CATALOG.channelFamilies()) {
            String channel = f.pattern().replaceAll("\\{[A-Za-z0-9_]+}", "X-1");
            assertThat(CATALOG.matchChannel(channel))
                    .as(channel)
                    .get()
                    .extracting(EventCatalog.ChannelMatch::family)
                    .isEqualTo(f);
        }
    }

    @Test
    void verify_holdsEverySchemasTenantFieldToTheTenantRule() {
        // a tenant field whose pattern is not Tenants.PATTERN (currency is ^[A-Z]{3}$ in order-created)
        ObjectNode root = (ObjectNode)
                EventCatalog.readTree(EventCatalog.BASE + "catalog.json").deepCopy();
        root.put("tenantField", "currency");

        assertThat(EventCatalog.parse(root).verify())
                .anyMatch(p -> p.startsWith("event order-created: ")
                        && p.contains("must declare currency with the tenant rule's pattern " + Tenants.PATTERN));
    }

    @Test
    void verify_findsWhatABrokenCatalogGetsWrong() {
        ObjectNode root = (ObjectNode)
                EventCatalog.readTree(EventCatalog.BASE + "catalog.json").deepCopy();
        ArrayNode families = (ArrayNode) root.get("channelFamilies");
        families.addObject()
                .put("pattern", "sales.{anything}")
                .putArray("roles")
                .add("sales:read");
        ObjectNode stock = (ObjectNode) root.get("events").get(0);
        ((ObjectNode) stock.get("permission")).putArray("anyRole").add("sales:read");
        stock.putArray("channels").add("inventory.warehouse.{warehouse}");
        stock.putArray("sensitiveFields")
                .addObject()
                .put("field", "cost")
                .putArray("roles")
                .add("Finance");
        stock.putObject("coalesce").put("key", "all").put("windowMillis", 1000);
        ObjectNode notice = null;
        for (var e : root.get("events"))
            if (e.path("name").asString().equals("maintenance-notice")) notice = (ObjectNode) e;
        notice.put("invalidExamples", "examples/invalid/stock-level-changed.json");

        List<String> problems = EventCatalog.parse(root).verify();

        assertThat(problems)
                .anyMatch(p -> p.contains("families sales.orders and sales.{anything} can match the same channel"));
        assertThat(problems)
                .anyMatch(
                        p -> p.contains(
                                "event stock-level-changed: permission states any of [sales:read] but its channels need any of [inventory:read]"));
        assertThat(problems)
                .anyMatch(p -> p.contains(
                        "channel inventory.warehouse.{warehouse} uses warehouse, which the schema does not declare"));
        assertThat(problems).anyMatch(p -> p.contains("sensitive field cost is not declared in the schema"));
        assertThat(problems).anyMatch(p -> p.contains("role Finance must look like area:permission"));
        assertThat(problems).anyMatch(p -> p.contains("coalesce key all has no {field}"));
        assertThat(problems).anyMatch(p -> p.contains("example examples/stock-level-changed.json reaches no channel"));
        assertThat(problems)
                .anyMatch(
                        p -> p.startsWith(
                                "event maintenance-notice: invalid example 'unknown reason' fails, but not for the expected reason '$.reason'"));
    }

    @Test
    void parse_refusesAChannelOfNoFamily_atLoadTime() {
        ObjectNode root = (ObjectNode)
                EventCatalog.readTree(EventCatalog.BASE + "catalog.json").deepCopy();
        ((ObjectNode) root.get("events").get(0)).putArray("channels").add("inventory.bin.{sku}");
        assertThatThrownBy(() -> EventCatalog.parse(root))
                .isInstanceOf(CatalogException.class)
                .hasMessage(
                        "event stock-level-changed: channel template inventory.bin.{sku} matches no channel family");
    }

    @Test
    void find_andByName_resolveEveryEvent() {
        for (EventDefinition e : CATALOG.events()) {
            assertThat(CATALOG.find(e.source(), e.detailType())).contains(e);
            assertThat(CATALOG.byName(e.name())).contains(e);
        }
        assertThat(CATALOG.find("pyerp.inventory", "StockLevelchanged")).isEmpty();
    }
}
