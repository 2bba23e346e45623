package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.pyerp.realtime.aws.SqsDispatchQueueControl;
import com.pyerp.realtime.core.dispatch.DeliveredEvent;
import com.pyerp.realtime.core.dispatch.DispatchQueueControl;
import com.pyerp.realtime.core.dispatch.DispatchReport;
import com.pyerp.realtime.core.dispatch.Dispatcher;
import com.pyerp.realtime.core.dispatch.InvalidEventException;
import com.pyerp.realtime.core.dispatch.SqsBatchProcessor;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.events.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The dispatcher. Its trigger is the rules' SQS queue (see {@code DispatchBuffer}): a batch of records whose bodies
 * are EventBridge events, handled by {@link SqsBatchProcessor} (the same class the local gateway's queue mirror
 * uses): invalid events dead-lettered at once, transient failures retried within seconds, coalescing holds handed
 * back to the queue; the answer lists the records to receive again ({@code batchItemFailures}). A single
 * EventBridge event (a rule targeting the function directly, as another deployment may wire it) is handled too, and
 * throws when it fails, so Lambda's own retries apply. A stream handler, so {@code detail} stays exact JSON for
 * schema validation.
 */
public final class DispatcherHandler implements RequestStreamHandler {
    private final Dispatcher dispatcher;
    private final SqsBatchProcessor batches;

    public DispatcherHandler() {
        this(Handlers.defaultDispatcher(), SqsDispatchQueueControl.fromSystem());
    }

    /** Without queue control: failures are left to the queue's visibility timeout and redrive policy. */
    public DispatcherHandler(Dispatcher dispatcher) {
        this(dispatcher, DispatchQueueControl.NONE);
    }

    public DispatcherHandler(Dispatcher dispatcher, DispatchQueueControl queue) {
        this(dispatcher, new SqsBatchProcessor(dispatcher, queue));
    }

    public DispatcherHandler(Dispatcher dispatcher, SqsBatchProcessor batches) {
        this.dispatcher = dispatcher;
        this.batches = batches;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws java.io.IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (context != null) fields.put("requestId", context.getAwsRequestId());
        try (JsonLog.Scope log = JsonLog.invocation(fields)) {
            handle(input, output);
        }
    }

    private void handle(InputStream input, OutputStream output) throws java.io.IOException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(input);
        } catch (JacksonException e) {
            throw new InvalidEventException(null, "the event is not valid JSON");
        }
        if (SqsBatchProcessor.isSqsEvent(root)) {
            Json.mapper().writeValue(output, batches.process(root));
            return;
        }
        DeliveredEvent event = DeliveredEvent.fromEventBridge(root);
        DispatchReport report = dispatcher.dispatch(event);
        if (report.invalid() > 0)
            throw new InvalidEventException(event.id(), String.join("; ", report.invalidReasons()));
        if (!report.failedEventIds().isEmpty())
            throw new IllegalStateException("dispatch of event " + event.id() + " failed; see the log");
        Json.mapper().writeValue(output, report);
    }
}
