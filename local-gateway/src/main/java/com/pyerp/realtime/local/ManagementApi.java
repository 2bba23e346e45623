package com.pyerp.realtime.local;

import com.pyerp.realtime.events.ProtocolLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The {@code @connections} management API at {@code /{stage}/@connections/{id}}: POST sends data, GET
 * describes the connection, DELETE closes it; with AWS's status codes and error shapes
 * ({@code x-amzn-ErrorType} header + {@code {"message"}} body), so the real SDK client raises
 * GoneException, PayloadTooLargeException and LimitExceededException.
 */
final class ManagementApi extends Handler.Abstract {
    /** How long a post or delete waits for a connection whose handshake was accepted to open on the server side. */
    static final Duration OPEN_WAIT = Duration.ofSeconds(2);
    /** Unsent bytes per connection above which a post is refused with 429, like a full client buffer. */
    static final long MAX_PENDING_BYTES = 1024 * 1024;

    private final String prefix;
    private final WebSocketGateway gateway;
    private final TokenBucket throttle;
    private final boolean requireSigV4;

    ManagementApi(String stage, WebSocketGateway gateway, TokenBucket throttle, boolean requireSigV4) {
        this.prefix = "/" + stage + "/@connections/";
        this.gateway = gateway;
        this.throttle = throttle;
        this.requireSigV4 = requireSigV4;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        // decoded, so /%40connections (how some SDKs encode the @) works like /@connections, as in API Gateway
        String path = request.getHttpURI().getDecodedPath();
        if (path == null || !path.startsWith(prefix)) return false;
        String id = path.substring(prefix.length());
        if (requireSigV4) {
            SigV4Check.Verdict v = SigV4Check.check(request, "execute-api");
            if (!v.ok()) {
                error(
                        response,
                        callback,
                        403,
                        v.missing() ? "MissingAuthenticationTokenException" : "IncompleteSignatureException",
                        v.problem());
                return true;
            }
        }
        LiveConnection conn = gateway.connection(id);
        switch (request.getMethod()) {
            case "POST" -> post(request, response, callback, conn);
            case "GET" -> {
                if (conn == null || !conn.isLive()) {
                    gone(response, callback);
                    break;
                }
                Map<String, Object> out = new LinkedHashMap<>();
                // the wire names of GetConnection's ConnectedAt, Identity{SourceIp, UserAgent}, LastActiveAt
                out.put("connectedAt", conn.connectedAt.toString());
                out.put(
                        "identity",
                        Map.of("sourceIp", conn.sourceIp, "userAgent", conn.userAgent == null ? "" : conn.userAgent));
                out.put("lastActiveAt", conn.lastActiveAt.toString());
                HttpIo.json(response, callback, 200, out);
            }
            case "DELETE" -> {
                if (!open(conn)) {
                    gone(response, callback);
                    break;
                }
                conn.session.close(1000, "", org.eclipse.jetty.websocket.api.Callback.NOOP);
                HttpIo.send(response, callback, 204, null, null);
            }
            default -> error(response, callback, 405, "MethodNotAllowedException", "use POST, GET or DELETE");
        }
        return true;
    }

    /** What a PostToConnection is answered: 200, or AWS's status, error type and message. */
    record PostResult(int status, String errorType, String message) {
        static final PostResult OK = new PostResult(200, null, null);
    }

    private void post(Request request, Response response, Callback callback, LiveConnection conn) throws Exception {
        PostResult r = post(conn, HttpIo.body(request, ProtocolLimits.MAX_MESSAGE_BYTES));
        if (r.status() == 200) HttpIo.send(response, callback, 200, null, null);
        else error(response, callback, r.status(), r.errorType(), r.message());
    }

    /** PostToConnection, whatever the transport (HTTP, or the in-process one the local dispatcher uses). */
    PostResult post(String connectionId, byte[] body) {
        return post(gateway.connection(connectionId), body);
    }

    private PostResult post(LiveConnection conn, byte[] body) {
        if (!open(conn)) return new PostResult(410, "GoneException", null);
        if (body.length > ProtocolLimits.MAX_MESSAGE_BYTES)
            return new PostResult(
                    413,
                    "PayloadTooLargeException",
                    "Message too long. Max payload size is " + ProtocolLimits.MAX_MESSAGE_BYTES / 1024 + " KB.");
        if (!throttle.tryAcquire() || conn.pendingBytes.get() > MAX_PENDING_BYTES)
            return new PostResult(429, "LimitExceededException", "Rate exceeded");
        conn.pendingBytes.addAndGet(body.length);
        // up to the message limit, split into frames under the frame limit as API Gateway does
        conn.sendText(new String(body, StandardCharsets.UTF_8), new org.eclipse.jetty.websocket.api.Callback() {
            @Override
            public void succeed() {
                conn.pendingBytes.addAndGet(-body.length);
            }

            @Override
            public void fail(Throwable x) {
                conn.pendingBytes.addAndGet(-body.length);
            }
        });
        conn.lastActiveAt = Instant.now();
        return PostResult.OK;
    }

    /** Open, or accepted a moment ago and open within {@link #OPEN_WAIT} (API Gateway knows it from the 101 on). */
    private static boolean open(LiveConnection conn) {
        try {
            return conn != null && conn.awaitOpen(OPEN_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void gone(Response response, Callback callback) {
        error(response, callback, 410, "GoneException", null);
    }

    private static void error(Response response, Callback callback, int status, String type, String message) {
        response.getHeaders().put("x-amzn-ErrorType", type);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        HttpIo.json(response, callback, status, body);
    }
}
