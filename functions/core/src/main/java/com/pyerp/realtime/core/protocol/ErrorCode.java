package com.pyerp.realtime.core.protocol;

/**
 * The error codes of the client protocol. Mirrors {@code events-schema/.../protocol/error-codes.json},
 * the one catalogue shared with the JS client and the docs; {@code ErrorCodeCatalogTest} fails when they differ.
 */
public enum ErrorCode {
    BAD_FRAME(4400, true),
    INVALID_FRAME(4401, true),
    UNKNOWN_ACTION(4402, true),
    INVALID_CHANNEL(4403, true),
    UNKNOWN_CHANNEL(4404, true),
    CHANNEL_FORBIDDEN(4405, true),
    SUBSCRIPTION_LIMIT(4406, true),
    NOT_CONNECTED(4410, false),
    REGISTRY_UNAVAILABLE(4503, true),
    INTERNAL_ERROR(4500, true),
    MESSAGE_TOO_BIG(1009, false),
    UNAUTHORIZED(401, false),
    FORBIDDEN(403, false),
    TOKEN_EXPIRED(4411, false),
    SESSION_REVOKED(4412, false),
    REFRESH_REFUSED(4413, true),
    RATE_LIMITED(4429, true),
    RATE_LIMIT_ABUSE(4430, false),
    CONNECTION_LIMIT(429, false),
    PRESENCE_NOT_ENABLED(4460, true),
    PUBLISH_FORBIDDEN(4461, true),
    PUBLISH_TOO_BIG(4462, true),
    PUBLISH_RATE_LIMITED(4463, true),
    INVALID_PAYLOAD(4464, true);

    private final int number;
    private final boolean keepsConnection;

    ErrorCode(int number, boolean keepsConnection) {
        this.number = number;
        this.keepsConnection = keepsConnection;
    }

    public int number() {
        return number;
    }

    public boolean keepsConnection() {
        return keepsConnection;
    }
}
