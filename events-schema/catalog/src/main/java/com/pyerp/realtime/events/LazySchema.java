package com.pyerp.realtime.events;

import com.networknt.schema.Schema;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A JSON Schema compiled on first use, once. Loading the catalog reads every schema file but compiles none: the
 * schema validator (a few hundred classes) stays out of the cold start of functions that never validate (connect,
 * disconnect, the authorizer). {@link EventCatalog#compileSchemas} compiles them all ahead (the catalog checks, and
 * SnapStart priming).
 */
public final class LazySchema {
    private final Supplier<Schema> compile;
    private volatile Schema schema;

    LazySchema(Supplier<Schema> compile) {
        this.compile = Objects.requireNonNull(compile, "compile");
    }

    public Schema get() {
        Schema s = schema;
        if (s == null) {
            synchronized (this) {
                if (schema == null) schema = compile.get();
                s = schema;
            }
        }
        return s;
    }
}
