package com.pyerp.realtime.aws.dynamo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB's item-size arithmetic, to compute what a read costs with the registry's real items
 * (used by the benchmark and quoted in functions/README-registry.md).
 *
 * <p>Rules (DynamoDB developer guide, "item sizes and formats"): an item is the sum of its attribute names
 * (UTF-8 bytes) and values. Strings: UTF-8 bytes. Numbers: 1 byte per two significant digits, plus 1.
 * Binary: its bytes. Sets: the sum of their elements. Lists and maps: 3 bytes, plus their elements, plus
 * 1 byte per element. Null and boolean: 1 byte. A Query is billed on the total size of the items it reads
 * (for an index: the projected attributes), rounded up to 4 KB per request; one read unit reads 4 KB
 * strongly consistent or 8 KB eventually consistent (index queries are always eventually consistent).
 */
public final class ItemSizes {
    public static final int READ_UNIT_BYTES = 4096;

    private ItemSizes() {}

    /** Size of one item in bytes as DynamoDB counts it. */
    public static long itemBytes(Map<String, AttributeValue> item) {
        long n = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            n += utf8(e.getKey()) + valueBytes(e.getValue());
        }
        return n;
    }

    /** Read units of one Query request that read {@code bytes} in all. */
    public static double queryReadUnits(long bytes, boolean stronglyConsistent) {
        long blocks = Math.max(1, (bytes + READ_UNIT_BYTES - 1) / READ_UNIT_BYTES);
        return stronglyConsistent ? blocks : blocks / 2.0;
    }

    static long valueBytes(AttributeValue v) {
        switch (v.type()) {
            case S:
                return utf8(v.s());
            case N:
                return numberBytes(v.n());
            case B:
                return v.b().asByteArray().length;
            case SS:
                return v.ss().stream().mapToLong(ItemSizes::utf8).sum();
            case NS:
                return v.ns().stream().mapToLong(ItemSizes::numberBytes).sum();
            case BS:
                return v.bs().stream().mapToLong(b -> b.asByteArray().length).sum();
            case BOOL:
            case NUL:
                return 1;
            case L: {
                List<AttributeValue> l = v.l();
                return 3
                        + l.size()
                        + l.stream().mapToLong(ItemSizes::valueBytes).sum();
            }
            case M: {
                Map<String, AttributeValue> m = v.m();
                return 3 + m.size() + itemBytes(m);
            }
            default:
                throw new IllegalArgumentException("unknown attribute type " + v.type());
        }
    }

    static long numberBytes(String n) {
        String digits = n.replace("-", "").replace("+", "");
        int exp = Math.max(digits.indexOf('e'), digits.indexOf('E'));
        if (exp >= 0) digits = digits.substring(0, exp);
        digits = digits.replace(".", "");
        digits = digits.replaceFirst("^0+", "").replaceFirst("0+$", "");
        int significant = Math.max(1, digits.length());
        return (significant + 1) / 2 + 1;
    }

    private static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
