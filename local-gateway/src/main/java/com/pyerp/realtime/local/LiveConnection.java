package com.pyerp.realtime.local;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Session;

/** One open WebSocket as the local API Gateway tracks it. */
final class LiveConnection {
    final String id;
    final Map<String, Object> authorizerContext;
    final Instant connectedAt;
    final String sourceIp;
    final String userAgent;
    final AtomicLong pendingBytes = new AtomicLong();
    volatile Instant lastActiveAt;
    volatile Session session;
    volatile ScheduledFuture<?> maxDurationTimer;

    LiveConnection(
            String id, Map<String, Object> authorizerContext, Instant connectedAt, String sourceIp, String userAgent) {
        this.id = id;
        this.authorizerContext = authorizerContext;
        this.connectedAt = connectedAt;
        this.lastActiveAt = connectedAt;
        this.sourceIp = sourceIp;
        this.userAgent = userAgent;
    }

    boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }
}
