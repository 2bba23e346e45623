package com.pyerp.realtime.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrincipalTest {

    @Test
    void toContext_shouldFlattenToStrings_andFromContextShouldReadItBack() {
        Principal p = new Principal(
                "alice", "acme", Set.of("sales:read", "inventory:read"), Map.of("warehouses", Set.of("WH-2", "WH-1")));

        Map<String, Object> ctx = p.toContext();

        // API Gateway keeps only strings, numbers and booleans in an authorizer context
        assertThat(ctx.values()).allSatisfy(v -> assertThat(v).isInstanceOf(String.class));
        assertThat(ctx)
                .containsEntry("userId", "alice")
                .containsEntry("tenant", "acme")
                .containsEntry("roles", "inventory:read,sales:read")
                .containsEntry("scope.warehouses", "WH-1,WH-2");
        assertThat(Principal.fromContext(ctx)).isEqualTo(p);
    }

    @Test
    void fromContext_shouldRoundTripAPrincipalWithoutRolesOrScopes() {
        Principal p = new Principal("bob", "globex", Set.of(), Map.of());

        assertThat(Principal.fromContext(p.toContext())).isEqualTo(p);
    }

    @Test
    void fromContext_shouldIgnoreTheKeysApiGatewayAdds_whenReadingARouteEvent() {
        Map<String, Object> ctx =
                new HashMap<>(new Principal("alice", "acme", Set.of("inventory:read"), Map.of()).toContext());
        ctx.put("principalId", "acme/alice");
        ctx.put("integrationLatency", 42);

        Principal p = Principal.fromContext(ctx);

        assertThat(p.userId()).isEqualTo("alice");
        assertThat(p.roles()).containsExactly("inventory:read");
        assertThat(p.scopes()).isEmpty();
    }

    @Test
    void fromContext_shouldReturnNull_whenTheContextIsNullOrLacksUserOrTenant() {
        assertThat(Principal.fromContext(null)).isNull();
        assertThat(Principal.fromContext(Map.of())).isNull();
        assertThat(Principal.fromContext(Map.of("userId", "alice"))).isNull();
        assertThat(Principal.fromContext(Map.of("tenant", "acme"))).isNull();
        assertThat(Principal.fromContext(Map.of("userId", "", "tenant", "acme")))
                .isNull();
        assertThat(Principal.fromContext(Map.of("userId", "alice", "tenant", "")))
                .isNull();
    }

    @Test
    void fromContext_shouldGiveNoRoles_whenRolesAreMissingOrEmpty() {
        assertThat(Principal.fromContext(Map.of("userId", "alice", "tenant", "acme"))
                        .roles())
                .isEmpty();
        assertThat(Principal.fromContext(Map.of("userId", "alice", "tenant", "acme", "roles", ""))
                        .roles())
                .isEmpty();
    }
}
