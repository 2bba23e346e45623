package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.log.JsonLog;
import java.util.LinkedHashMap;
import java.util.Map;

/** The small pieces every WebSocket route handler shares: log context, principal, responses. */
final class Requests {
    private Requests() {}

    /**
     * Opens the log context of this invocation (connection id, API Gateway request id, route, Lambda request id);
     * the handler closes it when it returns, so nothing of it stays on the (pooled) thread.
     */
    static JsonLog.Scope logContext(APIGatewayV2WebSocketEvent event, Context context) {
        Map<String, Object> fields = new LinkedHashMap<>();
        var rc = event.getRequestContext();
        if (rc != null) {
            fields.put("connectionId", rc.getConnectionId());
            fields.put("requestId", rc.getRequestId());
            fields.put("routeKey", rc.getRouteKey());
            if (rc.getIdentity() != null && rc.getIdentity().getSourceIp() != null)
                fields.put("sourceIp", rc.getIdentity().getSourceIp());
        }
        if (context != null) fields.put("lambdaRequestId", context.getAwsRequestId());
        return JsonLog.invocation(fields);
    }

    /** The authorizer context API Gateway attached to the connection, or null. */
    @SuppressWarnings("unchecked")
    static Principal principal(APIGatewayV2WebSocketEvent event) {
        var rc = event.getRequestContext();
        if (rc == null || rc.getAuthorizer() == null) return null;
        Object auth = rc.getAuthorizer();
        return auth instanceof Map<?, ?> m ? Principal.fromContext((Map<String, ?>) m) : null;
    }

    static APIGatewayV2WebSocketResponse response(int status, String body, Map<String, String> headers) {
        APIGatewayV2WebSocketResponse r = new APIGatewayV2WebSocketResponse();
        r.setStatusCode(status);
        r.setBody(body);
        if (headers != null) r.setHeaders(headers);
        return r;
    }
}
