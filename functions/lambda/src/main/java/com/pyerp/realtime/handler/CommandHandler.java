package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.service.ConnectionService;

/**
 * The {@code subscribe}, {@code unsubscribe}, {@code ping} and {@code $default} routes. The response body is
 * the reply frame: the routes have a two-way route response, so API Gateway sends it to the client.
 * Every bad frame gets an error frame with a catalogue code; the connection stays open.
 */
public final class CommandHandler implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {
    private final ConnectionService service;

    public CommandHandler() {
        this(Handlers.defaultConnectionService());
    }

    public CommandHandler(ConnectionService service) {
        this.service = service;
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        try (JsonLog.Scope log = Requests.logContext(event, context)) {
            return handle(event);
        }
    }

    private APIGatewayV2WebSocketResponse handle(APIGatewayV2WebSocketEvent event) {
        String reply =
                service.handle(event.getRequestContext().getConnectionId(), Requests.principal(event), event.getBody());
        return Requests.response(200, reply, null);
    }
}
