package com.pyerp.realtime.events;

import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper of the catalog, the functions and the local gateway (default settings: what every caller
 * used). Built at its first use, not when a class that may need it loads: Jackson's databind is some 800 classes
 * and a quarter of a second, which the connect function's cold start never needs (it logs with {@code LogJson}).
 * A mapper is thread-safe and caches what it learns about types, so one instance is also the fastest.
 */
public final class Json {
    private Json() {}

    /** The shared mapper. */
    public static JsonMapper mapper() {
        return Holder.MAPPER;
    }

    private static final class Holder {
        static final JsonMapper MAPPER = JsonMapper.builder().build();
    }
}
