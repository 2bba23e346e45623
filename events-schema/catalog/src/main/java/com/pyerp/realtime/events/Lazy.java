package com.pyerp.realtime.events;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A value built at its first use, once, by any thread. What a function may never need is built this way, so its cold
 * start does not pay for it: the catalog's compiled schemas, the token verifier (only a refresh uses it), the rarely
 * used SDK clients (the connection closer, the dead-letter queue, the connect function's {@code @connections} sender).
 */
public final class Lazy<T> implements Supplier<T> {
    private final Supplier<? extends T> factory;
    private volatile T value;

    public Lazy(Supplier<? extends T> factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    @Override
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                if (value == null) value = Objects.requireNonNull(factory.get(), "factory returned null");
                v = value;
            }
        }
        return v;
    }

    /** Runs {@code action} on the value if it was ever built (closing a client that was never opened opens nothing). */
    public void ifBuilt(Consumer<? super T> action) {
        T v = value;
        if (v != null) action.accept(v);
    }
}
