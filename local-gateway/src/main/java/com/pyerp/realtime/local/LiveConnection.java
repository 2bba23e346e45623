package com.pyerp.realtime.local;

import com.pyerp.realtime.events.ProtocolLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
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
    /** Counted down when the server side of the socket opens (Jetty may run that after the client saw the 101). */
    final CountDownLatch opened = new CountDownLatch(1);

    LiveConnection(
            String id, Map<String, Object> authorizerContext, Instant connectedAt, String sourceIp, String userAgent) {
        this.id = id;
        this.authorizerContext = authorizerContext;
        this.connectedAt = connectedAt;
        this.lastActiveAt = connectedAt;
        this.sourceIp = sourceIp;
        this.userAgent = userAgent;
    }

    /**
     * The largest frame payload the gateway sends: API Gateway splits a message over 32 KB into frames of at most 32 KB.
     * A little under the limit, so a frame that permessage-deflate cannot shrink (incompressible data grows by a few
     * bytes) still fits Jetty's compress buffer, which is capped at the frame limit.
     */
    static final int SEND_FRAME_BYTES = ProtocolLimits.MAX_FRAME_BYTES - 256;

    /**
     * Sends one text message, split into frames of at most {@link #SEND_FRAME_BYTES} as API Gateway does for messages
     * up to 128 KB. Whole messages are queued under the connection's lock, so the fragments of one message are never
     * interleaved with another message posted at the same time; the callback completes when the last frame is written.
     */
    void sendText(String text, Callback callback) {
        Session s = session;
        if (s == null) {
            callback.fail(new IllegalStateException("not open"));
            return;
        }
        synchronized (this) {
            if (text.length() <= SEND_FRAME_BYTES / 3
                    || text.getBytes(StandardCharsets.UTF_8).length <= SEND_FRAME_BYTES) {
                s.sendText(text, callback);
                return;
            }
            int start = 0;
            while (start < text.length()) {
                int end = fragmentEnd(text, start);
                boolean last = end == text.length();
                s.sendPartialText(text.substring(start, end), last, last ? callback : Callback.NOOP);
                start = end;
            }
        }
    }

    /** The end (exclusive) of the fragment starting at {@code start}: at most SEND_FRAME_BYTES of UTF-8, whole code points. */
    static int fragmentEnd(String text, int start) {
        int bytes = 0;
        int i = start;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > SEND_FRAME_BYTES) break;
            bytes += n;
            i += Character.charCount(cp);
        }
        return i;
    }

    boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }

    /** Accepted and not closed: true from the accepted handshake on, even before the server side has opened. */
    boolean isLive() {
        Session s = session;
        return s == null || s.isOpen();
    }

    /** Open, waiting up to {@code max} for the server side to open when the handshake was accepted a moment ago. */
    boolean awaitOpen(Duration max) throws InterruptedException {
        if (session == null) opened.await(max.toMillis(), TimeUnit.MILLISECONDS);
        return isOpen();
    }
}
