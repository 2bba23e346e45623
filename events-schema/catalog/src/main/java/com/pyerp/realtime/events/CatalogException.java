package com.pyerp.realtime.events;

/** The catalog itself is broken (missing schema, bad template): a packaging error, found at load time. */
public class CatalogException extends RuntimeException {
    public CatalogException(String message) {
        super(message);
    }

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
