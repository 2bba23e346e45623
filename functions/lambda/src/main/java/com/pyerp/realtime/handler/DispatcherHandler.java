package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.pyerp.realtime.core.dispatch.DispatchReport;
import com.pyerp.realtime.core.dispatch.Dispatcher;
import com.pyerp.realtime.core.dispatch.ErpEvent;
import com.pyerp.realtime.core.dispatch.InvalidEventException;
import com.pyerp.realtime.core.log.JsonLog;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Target of the EventBridge rules. Reads the EventBridge event as JSON (a stream handler, so {@code detail}
 * stays exact JSON for schema validation) and dispatches it. An invalid event is thrown after logging, so
 * the failed invocation goes to the on-failure destination (the dead-letter queue) instead of vanishing.
 * Writes the {@link DispatchReport} as the result.
 */
public final class DispatcherHandler implements RequestStreamHandler {
    private static final JsonLog LOG = JsonLog.get(DispatcherHandler.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private final Dispatcher dispatcher;

    public DispatcherHandler() {
        this(Handlers.defaultDispatcher());
    }

    public DispatcherHandler(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws java.io.IOException {
        JsonLog.clearContext();
        if (context != null) JsonLog.context().put("requestId", context.getAwsRequestId());
        ErpEvent event;
        try {
            event = ErpEvent.fromEventBridge(JSON.readTree(input));
        } catch (JacksonException e) {
            throw new InvalidEventException(null, "the event is not valid JSON");
        }
        DispatchReport report = dispatcher.dispatch(event);
        if (report.invalid() > 0) {
            throw new InvalidEventException(event.id(), String.join("; ", report.invalidReasons()));
        }
        output.write(JSON.writeValueAsString(report).getBytes(StandardCharsets.UTF_8));
        LOG.debug("dispatched", "eventId", event.id());
    }
}
