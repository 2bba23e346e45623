package com.pyerp.realtime.core.dispatch;

/**
 * Posts data to one connection. In the cloud: API Gateway's {@code @connections} API; locally the same
 * API served by the local gateway. Implementations never throw for a per-connection failure: they report it.
 */
public interface ConnectionSender {

    /** What happened to one post. */
    enum Status {
        /** accepted by the gateway */
        DELIVERED,
        /** 410: the connection is gone; the caller removes it from the registry */
        GONE,
        /** 429 LimitExceededException: throttled or the client's buffer is full; may be retried */
        THROTTLED,
        /** 413 PayloadTooLargeException: never retried */
        TOO_LARGE,
        /** anything else (network, 5xx, 403...) */
        FAILED
    }

    record Outcome(Status status, String detail) {
        public static final Outcome DELIVERED = new Outcome(Status.DELIVERED, null);
        public static final Outcome GONE = new Outcome(Status.GONE, "410 GoneException");
    }

    Outcome send(String connectionId, byte[] payload);
}
