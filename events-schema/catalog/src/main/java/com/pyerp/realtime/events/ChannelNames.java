package com.pyerp.realtime.events;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The channel grammar of the client protocol, read from its one definition,
 * {@code protocol/channel-grammar.json} (the JS client's {@code client-js/src/grammar.js} is generated from the
 * same file): dot-separated segments of {@code [A-Za-z0-9_@-]}, each 1 to 64 characters, at most 8 segments and
 * 200 characters in all. Example: {@code inventory.warehouse.WH-1}.
 */
public final class ChannelNames {
    /** Classpath location of the grammar, under {@link EventCatalog#BASE}. */
    public static final String GRAMMAR = "protocol/channel-grammar.json";

    private static final JsonNode DEFINITION = EventCatalog.readTree(EventCatalog.BASE + GRAMMAR);

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

    /** The grammar's own examples: names it must accept ({@code valid}) or refuse ({@code invalid}). */
    public static List<String> examples(String kind) {
        JsonNode list = DEFINITION.path("examples").path(kind);
        if (!list.isArray()) throw new CatalogException(GRAMMAR + ": examples." + kind + " must be an array");
        List<String> out = new ArrayList<>();
        for (JsonNode v : list) out.add(v.asString());
        return List.copyOf(out);
    }

    private static String text(String field) {
        JsonNode v = DEFINITION.get(field);
        if (v == null || !v.isString() || v.asString().isEmpty())
            throw new CatalogException(GRAMMAR + ": \"" + field + "\" must be a non-empty string");
        return v.asString();
    }

    private static int number(String field) {
        JsonNode v = DEFINITION.get(field);
        if (v == null || !v.isInt() || v.asInt() < 1)
            throw new CatalogException(GRAMMAR + ": \"" + field + "\" must be an integer >= 1");
        return v.asInt();
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
