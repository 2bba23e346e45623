package com.pyerp.realtime.aws.dynamo;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.registry.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ItemSizesTest {

    @Test
    void scalars_countNameAndValueBytes() {
        assertThat(ItemSizes.itemBytes(Map.of("a", AttributeValue.fromS("abc"))))
                .isEqualTo(4);
        assertThat(ItemSizes.itemBytes(Map.of("ä", AttributeValue.fromS("é")))).isEqualTo(4); // UTF-8: 2 + 2
        assertThat(ItemSizes.itemBytes(Map.of("b", AttributeValue.fromBool(true))))
                .isEqualTo(2);
        assertThat(ItemSizes.itemBytes(Map.of("n", AttributeValue.fromNul(true))))
                .isEqualTo(2);
        assertThat(ItemSizes.itemBytes(Map.of("x", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[10])))))
                .isEqualTo(11);
    }

    @Test
    void numbers_countOneBytePerTwoSignificantDigitsPlusOne() {
        assertThat(ItemSizes.numberBytes("1")).isEqualTo(2);
        assertThat(ItemSizes.numberBytes("12")).isEqualTo(2);
        assertThat(ItemSizes.numberBytes("123")).isEqualTo(3);
        assertThat(ItemSizes.numberBytes("1800000000")).isEqualTo(2); // trailing zeros do not count
        assertThat(ItemSizes.numberBytes("1764064800")).isEqualTo(5); // 17640648: 8 digits
        assertThat(ItemSizes.numberBytes("1764064801")).isEqualTo(6);
        assertThat(ItemSizes.numberBytes("-0.0012")).isEqualTo(2);
    }

    @Test
    void collections_addTheirOverhead() {
        assertThat(ItemSizes.valueBytes(AttributeValue.fromSs(List.of("ab", "cde"))))
                .isEqualTo(5);
        assertThat(ItemSizes.valueBytes(
                        AttributeValue.fromL(List.of(AttributeValue.fromS("ab"), AttributeValue.fromS("c")))))
                .isEqualTo(3 + 2 + 3);
        assertThat(ItemSizes.valueBytes(AttributeValue.fromM(Map.of("k", AttributeValue.fromS("v")))))
                .isEqualTo(3 + 1 + 2);
    }

    @Test
    void queryReadUnits_roundUpTo4KbAndHalveForEventualConsistency() {
        assertThat(ItemSizes.queryReadUnits(0, false)).isEqualTo(0.5);
        assertThat(ItemSizes.queryReadUnits(4096, false)).isEqualTo(0.5);
        assertThat(ItemSizes.queryReadUnits(4097, false)).isEqualTo(1.0);
        assertThat(ItemSizes.queryReadUnits(4097, true)).isEqualTo(2.0);
    }

    @Test
    void theDispatchersIndexItem_isAbout150Bytes() {
        Map<String, AttributeValue> item = RegistryItems.subscriptionItem(
                "Ab3dEfGhIjK0001=",
                "acme/inventory.warehouse.WH-2",
                "3f2b6c1e-8d4a-4e1b-9c7f-000000000001",
                Set.of("inventory:read", "sales:read"),
                1_764_072_000L);
        // attribute name + value: connectionId 12+16, channelKey 10+29, userId 6+36, roles 5+(14+10), expiresAt
        // 9+number
        assertThat(ItemSizes.itemBytes(item)).isEqualTo(28 + 39 + 42 + 29 + 9 + ItemSizes.numberBytes("1764072000"));
    }

    @Test
    void connectionItem_roundTrips() {
        Connection c = new Connection(
                "Ab3dEfGhIjK0001=",
                new Principal(
                        "u-1",
                        "acme",
                        Set.of("inventory:read"),
                        Map.of("warehouses", Set.of("WH-1"), "none", Set.of())),
                Instant.ofEpochMilli(1_764_064_800_123L),
                Instant.ofEpochSecond(1_764_072_300L));
        assertThat(RegistryItems.connection(RegistryItems.connectionItem(c), "t"))
                .isEqualTo(c);
    }

    @Test
    void expiry_isRoundedUpToTheSecond() {
        assertThat(RegistryItems.expirySeconds(Instant.ofEpochSecond(100))).isEqualTo(100);
        assertThat(RegistryItems.expirySeconds(Instant.ofEpochSecond(100, 1))).isEqualTo(101);
    }
}
