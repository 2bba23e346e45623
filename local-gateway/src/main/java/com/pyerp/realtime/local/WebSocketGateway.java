package com.pyerp.realtime.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.protocol.ApiRoutes;
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.events.ProtocolLimits;
import com.pyerp.realtime.handler.Handlers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.api.ExtensionConfig;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The local stand-in for an API Gateway WebSocket API: connection ids, the $connect handshake with the
 * REQUEST authorizer, route selection, the event payloads AWS sends, and the limits AWS enforces. Every
 * route runs the real handler through {@link LambdaRuntime}.
 */
public final class WebSocketGateway {
    private static final JsonLog LOG = JsonLog.get(WebSocketGateway.class);
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);
    /** How long after $connect the socket must be open; otherwise $disconnect cleans the registration up. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

    static final String API_ID = "local";

    private final LocalGatewayConfig config;
    private final Handlers handlers;
    private final ScheduledExecutorService timers;
    private final ExecutorService disconnects;
    private final Map<String, LiveConnection> connections = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    /** API Gateway's limit of 500 new connections per second (per account and region). */
    private final TokenBucket newConnections = new TokenBucket(500, 500);

    private volatile String domainName = "localhost";
    /** Test seam: delays the server side's open, to widen the race between the client's 101 and onWebSocketOpen. */
    volatile Duration openDelayForTests = Duration.ZERO;

    WebSocketGateway(
            LocalGatewayConfig config,
            Handlers handlers,
            ScheduledExecutorService timers,
            ExecutorService disconnects) {
        this.config = config;
        this.handlers = handlers;
        this.timers = timers;
        this.disconnects = disconnects;
    }

    void setDomainName(String domainName) {
        this.domainName = domainName;
    }

    LiveConnection connection(String id) {
        return connections.get(id);
    }

    List<LiveConnection> connections() {
        return new ArrayList<>(connections.values());
    }

    /**
     * permessage-deflate, which API Gateway negotiates too (browsers offer it): the frame limit applies to a frame as the
     * application sees it, inflated. Jetty inflates into a buffer of {@code min(maxFrameSize, @inflate_buffer_size)}
     * (8 KB by default) and, with auto-fragmenting off, closes with 1009 when a frame fills it, so a compressed 8 KB
     * message would be refused; raising the internal buffer parameters to the frame limit makes the inflated limit 32 KB
     * (a frame that inflates to exactly 32,768 bytes is refused, one byte stricter than an uncompressed frame). The
     * message limit (128 KB) is Jetty's aggregate limit, checked after inflating.
     */
    static void limitCompressedFrames(ServerUpgradeResponse response) {
        List<ExtensionConfig> negotiated = response.getExtensions();
        if (negotiated == null || negotiated.isEmpty()) return;
        List<ExtensionConfig> out = new ArrayList<>();
        for (ExtensionConfig e : negotiated) {
            if (e.getName().equals("permessage-deflate")) {
                ExtensionConfig c = ExtensionConfig.parse(e.getParameterizedName());
                c.setParameter("@inflate_buffer_size", ProtocolLimits.MAX_FRAME_BYTES);
                c.setParameter("@deflate_buffer_size", ProtocolLimits.MAX_FRAME_BYTES);
                out.add(c);
            } else {
                out.add(e);
            }
        }
        response.setExtensions(out);
    }

    /** The WebSocketCreator: runs the authorizer, then $connect; refuses the handshake with their status. */
    Object create(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        limitCompressedFrames(response);
        String connectionId = newConnectionId();
        Instant now = Instant.now();
        String sourceIp = Request.getRemoteAddr(request);
        String userAgent = request.getHeaders().get("User-Agent");
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, List<String>> multiHeaders = new LinkedHashMap<>();
        for (HttpField f : request.getHeaders()) {
            headers.merge(f.getName(), f.getValue(), (a, b) -> a + "," + b);
            multiHeaders.computeIfAbsent(f.getName(), k -> new ArrayList<>()).add(f.getValue());
        }
        Map<String, String> query = new LinkedHashMap<>();
        Map<String, List<String>> multiQuery = new LinkedHashMap<>();
        Fields fields = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        for (Fields.Field f : fields) {
            query.put(f.getName(), f.getValue());
            multiQuery.put(f.getName(), f.getValues());
        }
        JsonLog.withContext(
                Map.of("connectionId", connectionId),
                () -> LOG.info(
                        "handshake",
                        "path",
                        JsonLog.redact(request.getHttpURI().getPathQuery()),
                        "sourceIp",
                        sourceIp));
        // 1. The REQUEST authorizer. Its result is never cached (WebSocket authorizers are not).
        ObjectNode auth = Json.mapper().createObjectNode();
        auth.put("type", "REQUEST");
        auth.put(
                "methodArn",
                "arn:aws:execute-api:" + config.region() + ":" + LocalGatewayConfig.ACCOUNT + ":" + API_ID + "/"
                        + config.stage() + "/" + ApiRoutes.CONNECT);
        auth.set("headers", Json.mapper().valueToTree(headers));
        auth.set("multiValueHeaders", Json.mapper().valueToTree(multiHeaders));
        auth.set("queryStringParameters", Json.mapper().valueToTree(query));
        auth.set("multiValueQueryStringParameters", Json.mapper().valueToTree(multiQuery));
        auth.putObject("stageVariables");
        auth.set(
                "requestContext",
                requestContext(connectionId, ApiRoutes.CONNECT, "CONNECT", now, sourceIp, userAgent, null));
        LambdaRuntime.Result authResult = LambdaRuntime.invoke(
                LambdaRuntime.AUTHORIZER,
                handlers.authorizer(),
                APIGatewayCustomAuthorizerEvent.class,
                IamPolicyResponseV1.class,
                auth);
        if (authResult.failed()) {
            int status = "Unauthorized".equals(authResult.errorMessage()) ? 401 : 500;
            return refuse(
                    request, response, callback, connectionId, status, "authorizer: " + authResult.errorMessage());
        }
        JsonNode policy = authResult.payload();
        // like API Gateway: the Allow must cover execute-api:Invoke on this route's ARN; a matching Deny wins
        if (!AuthorizerPolicy.allows(
                policy.path("policyDocument"), auth.path("methodArn").asString())) {
            return refuse(request, response, callback, connectionId, 403, "authorizer denied");
        }
        // API Gateway's 500 new connections per second: counted once the authorizer allowed the handshake, so a
        // flood of junk tokens cannot use up valid users' budget (decisions.md; refused ones cost their own
        // authorizer run only)
        if (!newConnections.tryAcquire()) {
            return refuse(request, response, callback, connectionId, 429, "over 500 new connections per second");
        }
        Map<String, Object> context = new LinkedHashMap<>();
        policy.path("context")
                .properties()
                .forEach(e -> context.put(
                        e.getKey(),
                        e.getValue().isNumber()
                                ? e.getValue().numberValue()
                                : e.getValue().isBoolean()
                                        ? e.getValue().booleanValue()
                                        : e.getValue().asString()));
        context.put("principalId", policy.path("principalId").asString());

        // 2. $connect, with the authorizer context; the upgrade waits for it.
        ObjectNode connect = Json.mapper().createObjectNode();
        connect.set("headers", Json.mapper().valueToTree(headers));
        connect.set("multiValueHeaders", Json.mapper().valueToTree(multiHeaders));
        if (!query.isEmpty()) {
            connect.set("queryStringParameters", Json.mapper().valueToTree(query));
            connect.set("multiValueQueryStringParameters", Json.mapper().valueToTree(multiQuery));
        }
        connect.set(
                "requestContext",
                requestContext(connectionId, ApiRoutes.CONNECT, "CONNECT", now, sourceIp, userAgent, context));
        connect.put("isBase64Encoded", false);
        LambdaRuntime.Result connectResult = LambdaRuntime.invoke(
                LambdaRuntime.CONNECT,
                handlers.connect(),
                APIGatewayV2WebSocketEvent.class,
                APIGatewayV2WebSocketResponse.class,
                connect);
        if (connectResult.failed()) {
            return refuse(
                    request, response, callback, connectionId, 500, "$connect failed: " + connectResult.errorMessage());
        }
        int status = connectResult.payload().path("statusCode").asInt(200);
        if (status < 200 || status > 299) {
            return refuse(request, response, callback, connectionId, status, "$connect answered " + status);
        }
        JsonNode protocol = connectResult.payload().path("headers").get("Sec-WebSocket-Protocol");
        if (protocol != null && protocol.isString()) {
            String chosen = protocol.asString();
            if (request.hasSubProtocol(chosen)) response.setAcceptedSubProtocol(chosen);
        }
        LiveConnection conn = new LiveConnection(connectionId, context, now, sourceIp, userAgent);
        // Known to @connections from the accepted handshake on, as in API Gateway: Jetty may open the server side
        // after the client has seen the 101, and a GetConnection or post in that gap must not answer 410.
        connections.put(connectionId, conn);
        // $connect registered the connection; if the upgrade never completes (the client went away), clean up
        timers.schedule(
                () -> {
                    if (conn.session == null && connections.remove(connectionId, conn)) {
                        JsonLog.withContext(
                                Map.of("connectionId", connectionId),
                                () -> LOG.info("handshake never completed; running $disconnect"));
                        disconnect(conn, 1006, "handshake not completed");
                    }
                },
                HANDSHAKE_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
        return new Endpoint(conn);
    }

    private Object refuse(
            Request request, Response response, Callback callback, String connectionId, int status, String why) {
        JsonLog.withContext(
                Map.of("connectionId", connectionId),
                () -> LOG.info("handshake refused", "status", status, "reason", why));
        Response.writeError(request, response, callback, status);
        return null;
    }

    /** The route for a frame, by the route selection expression; non-JSON or unknown values go to $default. */
    static String selectRoute(String body, Set<String> routes) {
        String path = ApiRoutes.ROUTE_SELECTION_EXPRESSION.substring("$request.body.".length());
        try {
            JsonNode n = Json.mapper().readTree(body);
            for (String p : path.split("\\.")) n = n == null ? null : n.get(p);
            if (n != null && n.isString() && routes.contains(n.asString())) return n.asString();
        } catch (JacksonException e) {
            // not JSON: $default
        }
        return ApiRoutes.DEFAULT;
    }

    private ObjectNode requestContext(
            String connectionId,
            String routeKey,
            String eventType,
            Instant connectedAt,
            String sourceIp,
            String userAgent,
            Map<String, Object> authorizer) {
        Instant now = Instant.now();
        ObjectNode rc = Json.mapper().createObjectNode();
        rc.put("routeKey", routeKey);
        rc.put("eventType", eventType);
        rc.put("extendedRequestId", UUID.randomUUID().toString());
        rc.put("requestTime", REQUEST_TIME.format(now));
        rc.put("messageDirection", "IN");
        rc.put("stage", config.stage());
        rc.put("connectedAt", connectedAt.toEpochMilli());
        rc.put("requestTimeEpoch", now.toEpochMilli());
        ObjectNode identity = rc.putObject("identity");
        identity.put("sourceIp", sourceIp);
        if (userAgent != null) identity.put("userAgent", userAgent);
        rc.put("requestId", UUID.randomUUID().toString());
        rc.put("domainName", domainName);
        rc.put("connectionId", connectionId);
        rc.put("apiId", API_ID);
        rc.put("accountId", LocalGatewayConfig.ACCOUNT);
        if (authorizer != null) rc.set("authorizer", Json.mapper().valueToTree(authorizer));
        return rc;
    }

    private String newConnectionId() {
        byte[] b = new byte[10];
        random.nextBytes(b);
        return Base64.getEncoder().encodeToString(b).replace('/', '_').replace('+', '-');
    }

    /** Closes every connection (gateway shutdown). */
    void closeAll() {
        for (LiveConnection c : connections.values()) {
            Session s = c.session;
            if (s != null) s.close(1001, "Going away", org.eclipse.jetty.websocket.api.Callback.NOOP);
        }
    }

    /** The WebSocket endpoint of one connection. */
    public final class Endpoint implements Session.Listener.AutoDemanding {
        private final LiveConnection conn;

        Endpoint(LiveConnection conn) {
            this.conn = conn;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            Duration delay = openDelayForTests;
            if (!delay.isZero()) {
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            conn.session = session;
            conn.opened.countDown();
            if (connections.get(conn.id) != conn) { // the handshake timed out meanwhile: $disconnect already ran
                session.close(1001, "Going away", org.eclipse.jetty.websocket.api.Callback.NOOP);
                return;
            }
            // API Gateway's maximum connection duration (2 h unless configured otherwise)
            conn.maxDurationTimer = timers.schedule(
                    () -> session.close(1001, "Going away", org.eclipse.jetty.websocket.api.Callback.NOOP),
                    config.maxConnectionDuration().toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        @Override
        public void onWebSocketText(String message) {
            conn.lastActiveAt = Instant.now();
            route(message);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            callback.succeed();
            // API Gateway refuses incoming binary frames and disconnects the client with 1003 (clients send binary data
            // base64-encoded in text frames instead):
            // https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-binary-media-types.html
            Session s = conn.session;
            if (s != null)
                s.close(1003, "Binary frames are not supported", org.eclipse.jetty.websocket.api.Callback.NOOP);
        }

        private void route(String body) {
            String routeKey = selectRoute(body, Set.copyOf(ApiRoutes.COMMAND_ROUTES));
            ObjectNode event = Json.mapper().createObjectNode();
            ObjectNode rc = requestContext(
                    conn.id,
                    routeKey,
                    "MESSAGE",
                    conn.connectedAt,
                    conn.sourceIp,
                    conn.userAgent,
                    conn.authorizerContext);
            rc.put("messageId", UUID.randomUUID().toString());
            event.set("requestContext", rc);
            event.put("body", body);
            event.put("isBase64Encoded", false);
            LambdaRuntime.Result r = LambdaRuntime.invoke(
                    LambdaRuntime.COMMAND,
                    handlers.command(),
                    APIGatewayV2WebSocketEvent.class,
                    APIGatewayV2WebSocketResponse.class,
                    event);
            Session s = conn.session;
            if (s == null || !s.isOpen()) return;
            if (r.failed()) {
                // What API Gateway sends when the integration fails.
                ObjectNode err = Json.mapper().createObjectNode();
                err.put("message", "Internal server error");
                err.put("connectionId", conn.id);
                err.put("requestId", rc.path("requestId").asString());
                conn.sendText(Json.mapper().writeValueAsString(err), org.eclipse.jetty.websocket.api.Callback.NOOP);
                return;
            }
            JsonNode reply = r.payload().get("body");
            if (reply != null && reply.isString())
                conn.sendText(reply.asString(), org.eclipse.jetty.websocket.api.Callback.NOOP);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, org.eclipse.jetty.websocket.api.Callback callback) {
            callback.succeed();
            if (conn.maxDurationTimer != null) conn.maxDurationTimer.cancel(false);
            if (!connections.remove(conn.id, conn)) return;
            disconnect(conn, statusCode, reason);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            JsonLog.withContext(
                    Map.of("connectionId", conn.id), () -> LOG.info("websocket error", "error", String.valueOf(cause)));
        }
    }

    /** Runs $disconnect for a connection (asynchronously, like API Gateway's best-effort $disconnect). */
    private void disconnect(LiveConnection conn, int statusCode, String reason) {
        disconnects.execute(() -> {
            ObjectNode event = Json.mapper().createObjectNode();
            ObjectNode rc = requestContext(
                    conn.id,
                    ApiRoutes.DISCONNECT,
                    "DISCONNECT",
                    conn.connectedAt,
                    conn.sourceIp,
                    conn.userAgent,
                    conn.authorizerContext);
            rc.put("disconnectStatusCode", statusCode);
            rc.put("disconnectReason", reason == null ? "" : reason);
            event.set("requestContext", rc);
            event.put("isBase64Encoded", false);
            LambdaRuntime.Result r = LambdaRuntime.invoke(
                    LambdaRuntime.DISCONNECT,
                    handlers.disconnect(),
                    APIGatewayV2WebSocketEvent.class,
                    APIGatewayV2WebSocketResponse.class,
                    event);
            JsonLog.withContext(Map.of("connectionId", conn.id), () -> {
                if (r.failed()) LOG.warn("$disconnect failed", "error", r.errorMessage());
                LOG.info("closed", "disconnectStatusCode", statusCode, "disconnectReason", reason);
            });
        });
    }
}
