package com.pyerp.realtime.core.log;

import java.lang.reflect.Array;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON text of one log line, written without a data-binding library. Log lines are small maps of strings,
 * numbers, booleans, lists and nested maps; writing them by hand keeps Jackson's databind (some 800 classes, about
 * a quarter of a second) out of the cold start of functions that log but never parse JSON (connect, disconnect).
 * The output is what Jackson writes for the same values: members in map order, strings escaped as RFC 8259 requires
 * (quote, backslash, control characters; nothing else), NaN and infinities quoted.
 *
 * <p>A Jackson tree ({@code JsonNode}) is embedded as the JSON it stands for; any other value is written as the
 * string of its {@code toString()}.
 */
final class LogJson {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private LogJson() {}

    static String write(Map<String, ?> line) {
        StringBuilder out = new StringBuilder(256);
        value(out, line, 0);
        return out.toString();
    }

    private static void value(StringBuilder out, Object v, int depth) {
        if (depth > 32) {
            string(out, "<nested too deep>");
        } else if (v == null) {
            out.append("null");
        } else if (v instanceof CharSequence s) {
            string(out, s);
        } else if (v instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (v instanceof Number n) {
            number(out, n);
        } else if (v instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) out.append(',');
                first = false;
                string(out, String.valueOf(e.getKey()));
                out.append(':');
                value(out, e.getValue(), depth + 1);
            }
            out.append('}');
        } else if (isJacksonTree(v)) {
            out.append(v); // a JsonNode's toString() is its JSON
        } else if (v instanceof Iterable<?> items) {
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                if (!first) out.append(',');
                first = false;
                value(out, item, depth + 1);
            }
            out.append(']');
        } else if (v.getClass().isArray()) {
            out.append('[');
            for (int i = 0, n = Array.getLength(v); i < n; i++) {
                if (i > 0) out.append(',');
                value(out, Array.get(v, i), depth + 1);
            }
            out.append(']');
        } else if (v instanceof Optional<?> o) {
            value(out, o.orElse(null), depth + 1);
        } else if (v instanceof Enum<?> e) {
            string(out, e.name());
        } else if (v instanceof Character c) {
            string(out, String.valueOf(c.charValue()));
        } else {
            string(out, String.valueOf(v));
        }
    }

    /** By name, so that logging never loads Jackson: a tree can only be here if its classes are loaded already. */
    private static boolean isJacksonTree(Object v) {
        for (Class<?> c = v.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals("tools.jackson.databind.JsonNode")) return true;
        }
        return false;
    }

    private static void number(StringBuilder out, Number n) {
        if ((n instanceof Double d && (d.isNaN() || d.isInfinite()))
                || (n instanceof Float f && (f.isNaN() || f.isInfinite()))) {
            string(out, n.toString());
        } else {
            out.append(n);
        }
    }

    static void string(StringBuilder out, CharSequence s) {
        out.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
