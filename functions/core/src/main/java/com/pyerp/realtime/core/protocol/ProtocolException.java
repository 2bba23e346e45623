package com.pyerp.realtime.core.protocol;

/** A frame the protocol refuses, with the code the client gets and the id it sent (when readable). */
public class ProtocolException extends Exception {
    private final ErrorCode code;
    private final String id;

    public ProtocolException(ErrorCode code, String id, String message) {
        super(message);
        this.code = code;
        this.id = id;
    }

    public ErrorCode code() {
        return code;
    }

    public String id() {
        return id;
    }
}
