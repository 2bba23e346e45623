package com.pyerp.realtime.core.protocol;

import com.pyerp.realtime.events.ProtocolSchemas;
import java.util.ArrayList;
import java.util.List;

/**
 * The WebSocket API's routes, shared by the CDK stack (which creates them) and the local gateway (which
 * selects among them): one definition, so what runs locally is what deploys.
 */
public final class ApiRoutes {
    private ApiRoutes() {}

    /** API Gateway's route selection expression: the frame's {@code action} field. */
    public static final String ROUTE_SELECTION_EXPRESSION = "$request.body.action";

    public static final String CONNECT = "$connect";
    public static final String DISCONNECT = "$disconnect";
    public static final String DEFAULT = "$default";
    /**
     * Routes served by the command function, each with a two-way route response (its body is the reply): every action
     * of the client-frame schema ({@code protocol/client-frame.schema.json}, the one list of actions), then
     * {@code $default}.
     */
    public static final List<String> COMMAND_ROUTES = commandRoutes();

    private static List<String> commandRoutes() {
        List<String> routes = new ArrayList<>(ProtocolSchemas.clientActions());
        routes.add(DEFAULT);
        return List.copyOf(routes);
    }
}
