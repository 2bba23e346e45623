package com.pyerp.realtime.local;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** A real WebSocket client endpoint (Jetty's client) that queues what the server sends. */
public final class TestSocket implements Session.Listener.AutoDemanding {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Session session;
    private volatile int closeStatus = -1;

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
    }

    @Override
    public void onWebSocketText(String message) {
        messages.add(message);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        callback.succeed();
        closeStatus = statusCode;
        closed.countDown();
    }

    void send(String text) {
        session.sendText(text, Callback.NOOP);
    }

    /** Sends one text message as several frames (fragments), in order. */
    void sendFragments(String... parts) {
        for (int i = 0; i < parts.length; i++) session.sendPartialText(parts[i], i == parts.length - 1, Callback.NOOP);
    }

    /** The names of the extensions the handshake negotiated (e.g. permessage-deflate). */
    java.util.List<String> negotiatedExtensions() {
        return session.getUpgradeResponse().getExtensions().stream()
                .map(org.eclipse.jetty.websocket.api.ExtensionConfig::getName)
                .toList();
    }

    /** The next message as text, failing after the timeout. */
    String nextText(Duration timeout) throws InterruptedException {
        String m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) throw new AssertionError("no frame within " + timeout);
        return m;
    }

    void sendBinary(byte[] bytes) {
        session.sendBinary(java.nio.ByteBuffer.wrap(bytes), Callback.NOOP);
    }

    /** The next frame as JSON, failing after the timeout. */
    JsonNode next(Duration timeout) throws InterruptedException {
        String m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) throw new AssertionError("no frame within " + timeout);
        return JSON.readTree(m);
    }

    JsonNode next() throws InterruptedException {
        return next(Duration.ofSeconds(10));
    }

    /** A frame if one arrives within the timeout, else null. */
    String poll(Duration timeout) throws InterruptedException {
        return messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends a command and returns the reply. */
    JsonNode command(String frame) throws InterruptedException {
        send(frame);
        return next();
    }

    int awaitClose(Duration timeout) throws InterruptedException {
        if (!closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS))
            throw new AssertionError("socket not closed within " + timeout);
        return closeStatus;
    }

    boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }

    String acceptedSubprotocol() {
        return session.getUpgradeResponse().getAcceptedSubProtocol();
    }

    void close() {
        Session s = session;
        if (s != null && s.isOpen()) s.close(1000, "bye", Callback.NOOP);
    }
}
