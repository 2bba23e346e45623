package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.service.ConnectionService;

/**
 * {@code $disconnect} (best effort: API Gateway may never send it, hence the registry's expiry and the
 * dispatcher's 410 cleanup). Removes the connection and its subscriptions; idempotent. A registry failure
 * is thrown so Lambda reports it; nothing is lost, since expiry cleans up.
 */
public final class DisconnectHandler
        implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {
    private final ConnectionService service;

    public DisconnectHandler() {
        this(Handlers.defaultConnectionService());
    }

    public DisconnectHandler(ConnectionService service) {
        this.service = service;
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        try (JsonLog.Scope log = Requests.logContext(event, context)) {
            return handle(event);
        }
    }

    private APIGatewayV2WebSocketResponse handle(APIGatewayV2WebSocketEvent event) {
        // aws-lambda-java-events has no field for disconnectStatusCode/disconnectReason, so they are not read here.
        service.disconnect(event.getRequestContext().getConnectionId(), null, null);
        return Requests.response(200, null, null);
    }
}
