package com.pyerp.realtime.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class TenantsTest {
    private static final EventCatalog CATALOG = EventCatalog.load();

    @ParameterizedTest
    @ValueSource(strings = {"acme", "globex-2", "T_1", "a"})
    void isValid_acceptsTenantIds(String tenant) {
        assertThat(Tenants.isValid(tenant)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ac/me", "a#b", "acme corp", "a@b", "a.b", "x\n", "é"})
    void isValid_refusesWhatBreaksAChannelKeyTheRegistryOrTheEventSchemas(String tenant) {
        assertThat(Tenants.isValid(tenant)).isFalse();
        assertThat(Tenants.isValid(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 65})
    void isValid_allowsAtMost64Characters(int length) {
        assertThat(Tenants.isValid("t".repeat(length))).isEqualTo(length <= 64);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"tenantId\":\"acme\"}", "{\"tenantId\":\"\"}", "{\"tenantId\":7}", "{}"})
    void ofEvent_readsTheCatalogsTenantField_andHasNoFallback(String json) {
        ObjectNode detail = (ObjectNode) JsonMapper.builder().build().readTree(json);

        assertThat(CATALOG.tenantField()).isEqualTo("tenantId");
        assertThat(Tenants.ofEvent(CATALOG, detail))
                .isEqualTo(json.contains("acme") ? java.util.Optional.of("acme") : java.util.Optional.empty());
    }
}
