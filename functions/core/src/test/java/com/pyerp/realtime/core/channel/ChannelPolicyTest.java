package com.pyerp.realtime.core.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.protocol.ErrorCode;
import com.pyerp.realtime.core.protocol.ProtocolException;
import com.pyerp.realtime.events.EventCatalog;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelPolicyTest {
    private static final ChannelPolicy POLICY = new ChannelPolicy(EventCatalog.load());

    private static Principal who(String user, Set<String> roles, Set<String> warehouses) {
        return new Principal(user, "acme", roles, warehouses == null ? Map.of() : Map.of("warehouses", warehouses));
    }

    private static final Principal CLERK = who("alice", Set.of("inventory:read"), Set.of("WH-1"));
    private static final Principal ALL_WAREHOUSES = who("carol", Set.of("inventory:read"), Set.of("*"));
    private static final Principal NOBODY = who("dave", Set.of(), null);

    private static ErrorCode refusal(Principal p, String channel) {
        try {
            POLICY.authorize(p, channel, "c1");
        } catch (ProtocolException e) {
            assertThat(e.id()).isEqualTo("c1");
            return e.code();
        }
        return null;
    }

    @Test
    void authorize_shouldReturnTheTenantScopedKey_whenAllowed() throws Exception {
        assertThat(POLICY.authorize(CLERK, "inventory.warehouse.WH-1", null))
                .isEqualTo("acme/inventory.warehouse.WH-1");
    }

    @Test
    void authorize_shouldAllowAWarehouse_onlyWhenTheRoleAndTheWarehouseScopeBothGrantIt() {
        assertThat(refusal(CLERK, "inventory.warehouse.WH-1")).isNull();
        assertThat(refusal(CLERK, "inventory.alerts.WH-1")).isNull();
        assertThat(refusal(CLERK, "inventory.warehouse.WH-2")).isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
        assertThat(refusal(CLERK, "inventory.alerts.WH-2")).isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
        // the scope without the role is not enough
        assertThat(refusal(who("erin", Set.of("sales:read"), Set.of("WH-1")), "inventory.warehouse.WH-1"))
                .isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
        // the role without any warehouses claim is not enough
        assertThat(refusal(who("frank", Set.of("inventory:read"), null), "inventory.warehouse.WH-1"))
                .isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
    }

    @Test
    void authorize_shouldAllowEveryWarehouse_whenTheScopeIsStar() {
        assertThat(refusal(ALL_WAREHOUSES, "inventory.warehouse.WH-1")).isNull();
        assertThat(refusal(ALL_WAREHOUSES, "inventory.warehouse.ANY-OTHER")).isNull();
    }

    @Test
    void authorize_shouldNotTreatStarAsAWildcard_whenItIsTheChannelSegment() {
        // "*" is not a channel character: no token can name a channel that matches every warehouse
        assertThat(refusal(CLERK, "inventory.warehouse.*")).isEqualTo(ErrorCode.INVALID_CHANNEL);
    }

    @Test
    void authorize_shouldAllowSkuChannels_onlyWithTheRoleAndEveryWarehouse() {
        // a SKU channel carries the SKU's stock in every warehouse: a token scoped to some warehouses may not see it
        assertThat(refusal(ALL_WAREHOUSES, "inventory.sku.SKU-1001")).isNull();
        assertThat(refusal(CLERK, "inventory.sku.SKU-1001")).isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
        assertThat(refusal(who("gus", Set.of(), Set.of("*")), "inventory.sku.SKU-1001"))
                .isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
        assertThat(refusal(NOBODY, "inventory.sku.SKU-1001")).isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
    }

    @Test
    void authorize_shouldAllowSalesOrders_onlyWithSalesRead() {
        assertThat(refusal(who("gina", Set.of("sales:read"), null), "sales.orders"))
                .isNull();
        assertThat(refusal(CLERK, "sales.orders")).isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
    }

    @Test
    void authorize_shouldAcceptAnyOfTheFamilysRoles() {
        assertThat(refusal(who("hank", Set.of("maintenance:read"), null), "production.machine.M-7"))
                .isNull();
        assertThat(refusal(who("ivan", Set.of("production:read"), null), "production.machine.M-7"))
                .isNull();
        assertThat(refusal(CLERK, "production.machine.M-7")).isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
    }

    @Test
    void authorize_shouldAllowTheUserChannel_onlyToItsOwner() {
        assertThat(refusal(CLERK, "user.alice")).isNull();
        assertThat(refusal(NOBODY, "user.dave")).isNull();
        assertThat(refusal(CLERK, "user.bob")).isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
        // roles do not matter: a token full of roles still cannot read someone else's notifications
        assertThat(refusal(
                        who(
                                "root",
                                Set.of("inventory:read", "sales:read", "sales:finance", "production:read"),
                                Set.of("*")),
                        "user.alice"))
                .isEqualTo(ErrorCode.CHANNEL_FORBIDDEN);
    }

    @Test
    void authorize_shouldAllowSystemBroadcast_toAnyAuthenticatedConnection() {
        assertThat(refusal(NOBODY, "system.broadcast")).isNull();
        assertThat(refusal(CLERK, "system.broadcast")).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "inventory..WH-1",
                ".sales",
                "sales.",
                "sales orders",
                "sales/orders",
                "sales.orders#x",
                "user.al\u00efce",
                "a.b.c.d.e.f.g.h.i",
                "SEG65"
            })
    void authorize_shouldRefuseWithInvalidChannel_whenTheNameBreaksTheGrammar(String channel) {
        String name = channel.equals("SEG65") ? "inventory.sku." + "s".repeat(65) : channel;

        assertThat(refusal(NOBODY, name)).isEqualTo(ErrorCode.INVALID_CHANNEL);
    }

    @Test
    void authorize_shouldRefuseWithInvalidChannel_whenTheNameIsOver200Characters() {
        String name = "inventory.sku." + "a".repeat(64) + "." + "b".repeat(64) + "." + "c".repeat(60);

        assertThat(name.length()).isGreaterThan(200);
        assertThat(refusal(CLERK, name)).isEqualTo(ErrorCode.INVALID_CHANNEL);
        assertThat(refusal(CLERK, null)).isEqualTo(ErrorCode.INVALID_CHANNEL);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "foo.bar",
                "inventory.warehouse",
                "inventory.warehouse.WH-1.extra",
                "sales.orders.all",
                "system",
                "user"
            })
    void authorize_shouldRefuseWithUnknownChannel_whenNoFamilyMatches(String channel) {
        assertThat(refusal(ALL_WAREHOUSES, channel)).isEqualTo(ErrorCode.UNKNOWN_CHANNEL);
    }

    @Test
    void authorize_shouldKeyTheChannelWithTheTokensTenant_neverAnotherOne() throws Exception {
        Principal globex =
                new Principal("alice", "globex", Set.of("inventory:read"), Map.of("warehouses", Set.of("WH-1")));

        assertThat(POLICY.authorize(globex, "inventory.warehouse.WH-1", null))
                .isEqualTo("globex/inventory.warehouse.WH-1");
        assertThat(POLICY.authorize(CLERK, "inventory.warehouse.WH-1", null))
                .isEqualTo("acme/inventory.warehouse.WH-1");
    }

    @Test
    void keyFor_shouldOnlyCheckTheGrammar_soLeavingIsAlwaysAllowed() throws Exception {
        assertThat(POLICY.keyFor(NOBODY, "inventory.warehouse.WH-9", null)).isEqualTo("acme/inventory.warehouse.WH-9");
        assertThat(POLICY.keyFor(NOBODY, "no.such.family", null)).isEqualTo("acme/no.such.family");
        assertThatThrownBy(() -> POLICY.keyFor(NOBODY, "bad channel", "u1"))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHANNEL);
                    assertThat(e.id()).isEqualTo("u1");
                });
    }
}
