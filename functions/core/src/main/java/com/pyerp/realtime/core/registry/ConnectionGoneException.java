package com.pyerp.realtime.core.registry;

/** The connection is unknown to the registry or has expired. */
public class ConnectionGoneException extends RuntimeException {
    public ConnectionGoneException(String connectionId) {
        super("connection " + connectionId + " is not registered or has expired");
    }
}
