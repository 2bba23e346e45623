package com.pyerp.realtime.events;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The channel grammar of the client protocol, read from its one definition,
 * {@code protocol/channel-grammar.json} (the JS client's {@code client-js/src/grammar.js} is generated from the
 * same file): dot-separated segments of {@code [A-Za-z0-9_@-]}, each 1 to 64 characters, at most 8 segments and
 * 200 characters in all. Example: {@code inventory.warehouse.WH-1}.
 *
 * <p>It must stay as cheap to load as the constants it replaces (the registry checks every channel key with it,
 * in every function), so it reads the file's top-level numbers and strings with a few lines of its own rather than
 * Jackson's databind, which a function's cold start loads only when it needs it ({@link Json}); a test compares
 * what it read with what databind reads, and checks in a fresh class loader that databind stays unloaded.
 */
public final class ChannelNames {
    /** Classpath location of the grammar, under {@link EventCatalog#BASE}. */
    public static final String GRAMMAR = "protocol/channel-grammar.json";

    /** JSON tokens: a string, a number or literal, punctuation, white space. */
    private static final Pattern TOKEN =
            Pattern.compile("\"[^\"\\\\]*(?:\\\\.[^\"\\\\]*)*\"|-?[0-9][0-9.eE+-]*|true|false|null|[{}\\[\\]:,]|\\s+");

    private static final Map<String, String> DEFINITION = topLevelScalars(EventCatalog.BASE + GRAMMAR);

    /** What separates the segments: {@code "."}. */
    public static final String SEPARATOR = text("separator");
    /** The inside of the segment's character class: {@code A-Za-z0-9_@-}. */
    public static final String SEGMENT_CHARACTERS = segmentCharacters();

    public static final int MIN_SEGMENT_LENGTH = number("minSegmentLength");
    public static final int MAX_SEGMENT_LENGTH = number("maxSegmentLength");
    public static final int MAX_SEGMENTS = number("maxSegments");
    public static final int MAX_LENGTH = number("maxLength");

    /** One segment: {@code [A-Za-z0-9_@-]{1,64}}. */
    public static final String SEGMENT_PATTERN =
            "[" + SEGMENT_CHARACTERS + "]{" + MIN_SEGMENT_LENGTH + "," + MAX_SEGMENT_LENGTH + "}";

    /** The rule for one segment in words, for error messages: {@code 1-64 characters of [A-Za-z0-9_@-]}. */
    public static final String SEGMENT_DESCRIPTION =
            MIN_SEGMENT_LENGTH + "-" + MAX_SEGMENT_LENGTH + " characters of [" + SEGMENT_CHARACTERS + "]";

    /** The whole grammar in words, for error messages (the JS client says the same). */
    public static final String DESCRIPTION = "dot-separated segments of [" + SEGMENT_CHARACTERS + "], "
            + MIN_SEGMENT_LENGTH + "-" + MAX_SEGMENT_LENGTH + " characters each, at most " + MAX_SEGMENTS
            + " segments and " + MAX_LENGTH + " characters";

    private static final Pattern SEGMENT = Pattern.compile(SEGMENT_PATTERN);
    private static final Pattern SPLIT = Pattern.compile(Pattern.quote(SEPARATOR));

    private ChannelNames() {}

    /** True when {@code channel} follows the grammar. Never throws. */
    public static boolean isValid(String channel) {
        if (channel == null || channel.isEmpty() || channel.length() > MAX_LENGTH) return false;
        String[] parts = SPLIT.split(channel, -1);
        if (parts.length > MAX_SEGMENTS) return false;
        for (String p : parts) {
            if (!SEGMENT.matcher(p).matches()) return false;
        }
        return true;
    }

    /** True when one value may fill a {@code {param}} segment of a channel template. */
    public static boolean isValidSegment(String value) {
        return value != null && SEGMENT.matcher(value).matches();
    }

    /** The grammar's own examples: names it must accept ({@code valid}) or refuse ({@code invalid}). For tests. */
    public static List<String> examples(String kind) {
        JsonNode list = EventCatalog.readTree(EventCatalog.BASE + GRAMMAR)
                .path("examples")
                .path(kind);
        if (!list.isArray()) throw new CatalogException(GRAMMAR + ": examples." + kind + " must be an array");
        List<String> out = new ArrayList<>();
        for (JsonNode v : list) out.add(v.asString());
        return List.copyOf(out);
    }

    private static String text(String field) {
        String v = DEFINITION.get(field);
        if (v == null || !v.startsWith("\"") || v.length() < 3 || v.indexOf('\\') >= 0)
            throw new CatalogException(GRAMMAR + ": \"" + field + "\" must be a non-empty string without escapes");
        return v.substring(1, v.length() - 1);
    }

    private static int number(String field) {
        String v = DEFINITION.get(field);
        if (v == null || !v.matches("[1-9][0-9]{0,8}"))
            throw new CatalogException(GRAMMAR + ": \"" + field + "\" must be an integer >= 1");
        return Integer.parseInt(v);
    }

    /**
     * The members of the top-level object whose value is a string (kept with its quotes) or a number; nested
     * values are skipped. Throws on anything that is not JSON tokens.
     */
    private static Map<String, String> topLevelScalars(String resource) {
        String json;
        try (InputStream in = ChannelNames.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new CatalogException("catalog resource not found on the classpath: " + resource);
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CatalogException("cannot read catalog resource " + resource, e);
        }
        Map<String, String> out = new HashMap<>();
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(json);
        int at = 0;
        while (at < json.length()) {
            if (!m.find(at) || m.start() != at) throw new CatalogException(GRAMMAR + ": not JSON at character " + at);
            if (!m.group().isBlank()) tokens.add(m.group());
            at = m.end();
        }
        int depth = 0;
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("{") || t.equals("[")) depth++;
            else if (t.equals("}") || t.equals("]")) depth--;
            else if (depth == 1
                    && t.startsWith("\"")
                    && i + 2 < tokens.size()
                    && tokens.get(i + 1).equals(":")) {
                String value = tokens.get(i + 2);
                if (value.startsWith("\"") || Character.isDigit(value.charAt(0)) || value.startsWith("-"))
                    out.put(t.substring(1, t.length() - 1), value);
                i++; // the value is read again at the next turn: a nested value opens its brackets there
            }
        }
        if (depth != 0) throw new CatalogException(GRAMMAR + ": unbalanced brackets");
        return Map.copyOf(out);
    }

    /** Ranges such as A-Z and single characters that mean the same in a Java and a JS character class, '-' last. */
    private static String segmentCharacters() {
        String chars = text("segmentCharacters");
        if (!chars.matches("([A-Za-z0-9]-[A-Za-z0-9]|[A-Za-z0-9_@.~+])+-?"))
            throw new CatalogException(GRAMMAR + ": \"segmentCharacters\" must be ranges such as A-Z, letters, digits"
                    + " and the characters _@.~+, with a literal '-' last; got '" + chars + "'");
        return chars;
    }
}
