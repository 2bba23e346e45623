package com.pyerp.realtime.events;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Compiles the catalog's draft-04 schemas and turns validation errors into readable messages. */
final class Schemas {
    /** Base of the synthetic schema locations (nothing is ever fetched from it: every schema is given as a node). */
    static final String LOCATION_BASE = "https://schemas.pyerp.example/realtime/";

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);

    private Schemas() {}

    /**
     * Compiles {@code node} as a draft-04 schema. Each schema gets its own location, so {@code #/definitions/...}
     * references resolve inside that document only.
     */
    static Schema compile(String classpathPath, JsonNode node) {
        try {
            return REGISTRY.getSchema(SchemaLocation.of(LOCATION_BASE + classpathPath), node);
        } catch (RuntimeException e) {
            throw new CatalogException("cannot compile JSON Schema " + classpathPath + ": " + e.getMessage(), e);
        }
    }

    /** {@code $.field.0.sub: message} for each error; the root is {@code $}. */
    static List<String> messages(List<Error> errors) {
        List<String> out = new ArrayList<>(errors.size());
        for (Error e : errors) out.add(location(e.getInstanceLocation().toString()) + ": " + e.getMessage());
        return out;
    }

    /** A JSON pointer ({@code /lines/0/sku}) as {@code $.lines.0.sku}. */
    static String location(String pointer) {
        if (pointer == null || pointer.isEmpty() || pointer.equals("/")) return "$";
        StringBuilder sb = new StringBuilder("$");
        for (String part : pointer.substring(pointer.startsWith("/") ? 1 : 0).split("/", -1)) {
            sb.append('.').append(part.replace("~1", "/").replace("~0", "~"));
        }
        return sb.toString();
    }
}
