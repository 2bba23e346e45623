package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.pyerp.realtime.core.auth.ConnectAuthorizer;
import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.protocol.ErrorCode;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import com.pyerp.realtime.core.service.ConnectionService;
import com.pyerp.realtime.core.session.SessionGuard;
import java.time.Instant;
import java.util.Map;

/**
 * {@code $connect}: registers the connection and echoes only {@code erp.v1} in {@code Sec-WebSocket-Protocol}
 * (never the token). A non-2xx answer makes API Gateway refuse the handshake with that status.
 */
public final class ConnectHandler implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {
    private static final JsonLog LOG = JsonLog.get(ConnectHandler.class);
    private final ConnectionService service;

    public ConnectHandler() {
        this(Handlers.defaultConnectionService());
    }

    public ConnectHandler(ConnectionService service) {
        this.service = service;
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        try (JsonLog.Scope log = Requests.logContext(event, context)) {
            return handle(event);
        }
    }

    private APIGatewayV2WebSocketResponse handle(APIGatewayV2WebSocketEvent event) {
        Principal who = Requests.principal(event);
        if (who == null) {
            LOG.warn("$connect without authorizer context refused");
            return Requests.response(403, "Forbidden", null);
        }
        long at = event.getRequestContext().getConnectedAt();
        try {
            service.connect(
                    event.getRequestContext().getConnectionId(),
                    who,
                    at > 0 ? Instant.ofEpochMilli(at) : Instant.now());
        } catch (SessionGuard.ConnectionLimitException e) {
            LOG.info("handshake refused: connection limit", "code", ErrorCode.CONNECTION_LIMIT.name());
            return Requests.response(ErrorCode.CONNECTION_LIMIT.number(), "Too Many Requests", null);
        } catch (RegistryUnavailableException e) {
            LOG.error("registry unavailable; handshake refused", e);
            LOG.metrics(Map.of(ConnectionService.REGISTRY_ERRORS_METRIC, 1));
            return Requests.response(503, "Service Unavailable", null);
        }
        Map<String, String> headers = ConnectAuthorizer.offersSubprotocol(event.getHeaders())
                ? Map.of(ConnectAuthorizer.PROTOCOL_HEADER, ConnectAuthorizer.SUBPROTOCOL)
                : null;
        return Requests.response(200, null, headers);
    }
}
