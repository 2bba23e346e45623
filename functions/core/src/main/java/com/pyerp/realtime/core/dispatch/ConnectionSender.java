package com.pyerp.realtime.core.dispatch;

import java.util.concurrent.CompletableFuture;

/**
 * Posts data to one connection, without blocking the caller. In the cloud: API Gateway's {@code @connections} API
 * through the SDK's async client; locally the same API served by the local gateway.
 *
 * <p>The dispatcher keeps many posts in flight from one thread ({@link FanOut}); an implementation must therefore
 * return at once and complete the future later (from its I/O threads), never throw for a per-connection failure
 * and never complete the future exceptionally for one: it reports the failure as an {@link Outcome}. (The
 * dispatcher still counts a thrown exception or an exceptional future as {@link Status#FAILED}, never as lost.)
 */
@FunctionalInterface
public interface ConnectionSender {

    /** What happened to one post. */
    enum Status {
        /** accepted by the gateway */
        DELIVERED,
        /** 410: the connection is gone; the caller removes it from the registry */
        GONE,
        /** 429 LimitExceededException: throttled or the client's buffer is full; retried until a deadline */
        THROTTLED,
        /** 413 PayloadTooLargeException: never retried */
        TOO_LARGE,
        /** anything else (network, 5xx, 403...) */
        FAILED
    }

    record Outcome(Status status, String detail) {
        public static final Outcome DELIVERED = new Outcome(Status.DELIVERED, null);
        public static final Outcome GONE = new Outcome(Status.GONE, "410 GoneException");
        public static final Outcome THROTTLED = new Outcome(Status.THROTTLED, "429 LimitExceededException");
    }

    /** Starts one post; the future completes with its outcome. */
    CompletableFuture<Outcome> send(String connectionId, byte[] payload);
}
