package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.pyerp.realtime.core.dispatch.DispatchReport;
import com.pyerp.realtime.core.dispatch.Dispatcher;
import com.pyerp.realtime.core.dispatch.ErpEvent;
import com.pyerp.realtime.core.dispatch.FanOutPages;
import com.pyerp.realtime.core.dispatch.InvalidEventException;
import com.pyerp.realtime.core.log.JsonLog;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dispatcher. Its trigger is the rules' SQS queue (see {@code DispatchBuffer}): a batch of records whose
 * bodies are EventBridge events, dispatched together so bursts of one coalescing key collapse; the answer
 * lists the records to retry ({@code batchItemFailures}: unreadable or invalid events, failed fan-outs), which
 * end in the dead-letter queue after their last receive. A single EventBridge event (a rule targeting the
 * function directly, as another deployment may wire it) is handled too, and throws when it fails, so Lambda's
 * own retries apply. A stream handler, so {@code detail} stays exact JSON for schema validation.
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
        JsonNode root;
        try {
            root = JSON.readTree(input);
        } catch (JacksonException e) {
            throw new InvalidEventException(null, "the event is not valid JSON");
        }
        if (root != null && root.has("Records") && isPageBatch(root.get("Records"))) {
            JSON.writeValue(output, pages(root.get("Records")));
            return;
        }
        if (root != null && root.has("Records")) {
            JSON.writeValue(output, batch(root.get("Records")));
            return;
        }
        ErpEvent event = ErpEvent.fromEventBridge(root);
        DispatchReport report = dispatcher.dispatch(event);
        if (report.invalid() > 0)
            throw new InvalidEventException(event.id(), String.join("; ", report.invalidReasons()));
        if (!report.failedEventIds().isEmpty())
            throw new IllegalStateException("dispatch of event " + event.id() + " failed; see the log");
        JSON.writeValue(output, report);
    }

    /** Whether an SQS batch comes from the fan-out queue (its bodies are page tasks, see {@code FanOutPages}). */
    private static boolean isPageBatch(JsonNode records) {
        return records.size() > 0
                && FanOutPages.isPageTask(records.get(0).path("body").asString());
    }

    /** A batch of fan-out page tasks: each dispatched; the failed (or unreadable) ones are named for a retry. */
    private ObjectNode pages(JsonNode records) {
        ObjectNode out = JSON.createObjectNode();
        var failures = out.putArray("batchItemFailures");
        for (JsonNode record : records) {
            String messageId = record.path("messageId").asString();
            try {
                DispatchReport report = dispatcher.dispatchPage(
                        FanOutPages.parse(record.path("body").asString()));
                if (!report.failedEventIds().isEmpty()) failures.addObject().put("itemIdentifier", messageId);
            } catch (InvalidEventException e) {
                LOG.warn("unreadable fan-out page task", "messageId", messageId, "reason", e.getMessage());
                failures.addObject().put("itemIdentifier", messageId);
            }
        }
        return out;
    }

    /** An SQS batch: the SQSBatchResponse naming the records to retry. */
    private ObjectNode batch(JsonNode records) {
        List<ErpEvent> events = new ArrayList<>();
        Map<String, String> messageIdByEventId = new LinkedHashMap<>();
        List<String> retry = new ArrayList<>();
        for (JsonNode record : records) {
            String messageId = record.path("messageId").asString();
            try {
                ErpEvent e = ErpEvent.fromEventBridge(
                        JSON.readTree(record.path("body").asString()));
                events.add(e);
                messageIdByEventId.put(e.id(), messageId);
            } catch (JacksonException | InvalidEventException e) {
                LOG.warn("unreadable queue record", "messageId", messageId, "reason", e.getMessage());
                retry.add(messageId);
            }
        }
        DispatchReport report = dispatcher.dispatch(events);
        for (String id : report.failedEventIds()) {
            String messageId = messageIdByEventId.get(id);
            if (messageId != null && !retry.contains(messageId)) retry.add(messageId);
        }
        ObjectNode out = JSON.createObjectNode();
        var failures = out.putArray("batchItemFailures");
        retry.forEach(m -> failures.addObject().put("itemIdentifier", m));
        return out;
    }
}
