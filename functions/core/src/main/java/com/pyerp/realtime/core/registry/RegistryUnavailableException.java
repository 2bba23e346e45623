package com.pyerp.realtime.core.registry;

/** The registry's store could not be reached or refused the operation after retries. */
public class RegistryUnavailableException extends RuntimeException {
    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
