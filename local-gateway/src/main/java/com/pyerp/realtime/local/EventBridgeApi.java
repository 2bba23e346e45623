package com.pyerp.realtime.local;

import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.events.publisher.EventBridgeLimits;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import software.amazon.event.ruler.Machine;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The local stand-in for EventBridge: {@code PutEvents} over the AWS JSON 1.1 protocol (what the SDK and
 * {@code aws events put-events --endpoint-url} send), with AWS's limits and per-entry results; the catalog's
 * rule patterns matched with Event Ruler; matched events go to the rules' target, the dispatch queue
 * ({@link DispatchQueue}), which hands them to the dispatcher in batches.
 */
final class EventBridgeApi extends Handler.Abstract {
    private static final JsonLog LOG = JsonLog.get(EventBridgeApi.class);
    /** The HTTP body read at most: the entries' limit plus JSON overhead (escaping can double a Detail). */
    static final int MAX_BODY_BYTES = 2 * EventBridgeLimits.MAX_BYTES + 64 * 1024;

    static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    private final LocalGatewayConfig config;
    private final Machine rules = Machine.builder().build();
    private final DispatchQueue queue;

    EventBridgeApi(LocalGatewayConfig config, Map<String, String> rulePatterns, DispatchQueue queue)
            throws java.io.IOException {
        this.config = config;
        this.queue = queue;
        for (Map.Entry<String, String> r : rulePatterns.entrySet()) rules.addRule(r.getKey(), r.getValue());
    }

    /** Rules whose target is not the dispatch queue (the session function's revocation rule), by rule name. */
    private final Map<String, java.util.function.Consumer<ObjectNode>> otherTargets =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Adds a rule with its own target, as the stack does (e.g. {@code SessionGuard.REVOKED_RULE}). */
    void addRule(String name, String pattern, java.util.function.Consumer<ObjectNode> target)
            throws java.io.IOException {
        rules.addRule(name, pattern);
        otherTargets.put(name, target);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String target = request.getHeaders().get("X-Amz-Target");
        if (target == null || !"POST".equals(request.getMethod())) return false;
        if (!target.equals("AWSEvents.PutEvents")) {
            error(
                    response,
                    callback,
                    400,
                    "UnknownOperationException",
                    "The local gateway serves only AWSEvents.PutEvents, not " + target);
            return true;
        }
        if (config.requireSigV4()) {
            SigV4Check.Verdict v = SigV4Check.check(request, "events");
            if (!v.ok()) {
                if (v.missing()) error(response, callback, 403, "MissingAuthenticationTokenException", v.problem());
                else error(response, callback, 400, "IncompleteSignatureException", v.problem());
                return true;
            }
        }
        // AWS limits the entries' size (below), not the JSON body; the body may be larger (escaping, field names)
        byte[] body = HttpIo.body(request, MAX_BODY_BYTES);
        if (body.length > MAX_BODY_BYTES) {
            error(response, callback, 413, "ValidationException", "Request body over " + MAX_BODY_BYTES + " bytes.");
            return true;
        }
        JsonNode req;
        try {
            req = Json.mapper().readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            error(response, callback, 400, "SerializationException", "The request body is not valid JSON.");
            return true;
        }
        JsonNode entries = req == null ? null : req.get("Entries");
        if (entries == null
                || !entries.isArray()
                || entries.isEmpty()
                || entries.size() > EventBridgeLimits.MAX_ENTRIES) {
            error(
                    response,
                    callback,
                    400,
                    "ValidationException",
                    "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10");
            return true;
        }
        long total = 0;
        for (JsonNode entry : entries) total += entrySize(entry);
        if (total > EventBridgeLimits.MAX_BYTES) {
            error(
                    response,
                    callback,
                    400,
                    "ValidationException",
                    "Total size of the entries in the request is over the limit (" + EventBridgeLimits.MAX_BYTES
                            + " bytes): "
                            + total + " bytes.");
            return true;
        }
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode results = out.putArray("Entries");
        int failed = 0;
        for (JsonNode entry : entries) {
            ObjectNode result = results.addObject();
            String problem = accept(entry, result);
            if (problem != null) failed++;
        }
        out.put("FailedEntryCount", failed);
        HttpIo.send(response, callback, 200, CONTENT_TYPE, Json.mapper().writeValueAsString(out));
        return true;
    }

    /** Validates one entry, and when valid builds the event, fills the EventId and starts delivery. */
    private String accept(JsonNode entry, ObjectNode result) {
        String source = text(entry, "Source");
        String detailType = text(entry, "DetailType");
        String detailText = text(entry, "Detail");
        String bus = busName(text(entry, "EventBusName"));
        String problem = null;
        String code = "InvalidArgument";
        if (source == null) problem = "Parameter Source is not valid. Reason: Source is a required argument.";
        else if (detailType == null)
            problem = "Parameter DetailType is not valid. Reason: DetailType is a required argument.";
        else if (detailText == null) problem = "Parameter Detail is not valid. Reason: Detail is a required argument.";
        JsonNode detail = null;
        if (problem == null) {
            try {
                detail = Json.mapper().readTree(detailText);
            } catch (JacksonException e) {
                detail = null;
            }
            if (detail == null || !detail.isObject()) {
                problem = "Detail is malformed.";
                code = "MalformedDetail";
            }
        }
        if (problem != null) {
            result.put("ErrorCode", code);
            result.put("ErrorMessage", problem);
            LOG.info("put-events entry refused", "errorCode", code, "reason", problem);
            return problem;
        }
        String id = UUID.randomUUID().toString();
        result.put("EventId", id);
        ObjectNode event = Json.mapper().createObjectNode();
        event.put("version", "0");
        event.put("id", id);
        event.put("detail-type", detailType);
        event.put("source", source);
        event.put("account", LocalGatewayConfig.ACCOUNT);
        event.put("time", time(entry).toString());
        event.put("region", config.region());
        ArrayNode resources = event.putArray("resources");
        for (JsonNode r : entry.path("Resources")) resources.add(r.asString());
        event.set("detail", detail);
        if (bus.equals(config.bus())) route(event);
        else if (!bus.equals("default")) {
            // AWS accepts an entry for a bus that does not exist, returns an EventId and drops the event
            // (https://github.com/aws/aws-cli/issues/9186, https://github.com/aws/aws-sdk/issues/186): do the same,
            // but say so, because in the cloud such a typo silently loses events
            LOG.warn(
                    "put-events to an event bus that does not exist: the event is accepted and dropped, as on AWS",
                    "eventBusName",
                    bus,
                    "eventId",
                    id,
                    "knownBuses",
                    List.of(config.bus(), "default"));
        }
        return null;
    }

    private void route(ObjectNode event) {
        List<String> matched;
        try {
            matched = rules.rulesForJSONEvent(Json.mapper().writeValueAsString(event));
        } catch (Exception e) {
            LOG.error("rule matching failed", e, "eventId", event.path("id").asString());
            return;
        }
        LOG.info(
                "event accepted",
                "eventId",
                event.path("id").asString(),
                "source",
                event.path("source").asString(),
                "detailType",
                event.path("detail-type").asString(),
                "rules",
                matched);
        // each matching rule's target is the dispatch queue (one SendMessage per rule, as EventBridge does)
        for (String rule : matched) {
            var other = otherTargets.get(rule);
            if (other != null) other.accept(event);
            else queue.send(event);
        }
    }

    /** An entry's size as EventBridge counts it, with the publisher's formula ({@link EventBridgeLimits#entrySize}). */
    static long entrySize(JsonNode entry) {
        List<String> resources = new ArrayList<>();
        for (JsonNode r : entry.path("Resources")) resources.add(r.asString());
        return EventBridgeLimits.entrySize(
                text(entry, "Source"),
                text(entry, "DetailType"),
                text(entry, "Detail"),
                resources,
                entry.hasNonNull("Time"));
    }

    private String busName(String nameOrArn) {
        if (nameOrArn == null) return "default";
        int slash = nameOrArn.lastIndexOf('/');
        return nameOrArn.startsWith("arn:") && slash > 0 ? nameOrArn.substring(slash + 1) : nameOrArn;
    }

    private static Instant time(JsonNode entry) {
        JsonNode t = entry.get("Time");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        if (t == null || t.isNull()) return now;
        if (t.isNumber())
            return Instant.ofEpochMilli((long) (t.asDouble() * 1000)).truncatedTo(ChronoUnit.SECONDS);
        try {
            return Instant.parse(t.asString()).truncatedTo(ChronoUnit.SECONDS);
        } catch (RuntimeException e) {
            return now;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isString() && !v.asString().isEmpty() ? v.asString() : null;
    }

    private static void error(Response response, Callback callback, int status, String type, String message) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("__type", type);
        n.put("message", message);
        HttpIo.send(response, callback, status, CONTENT_TYPE, Json.mapper().writeValueAsString(n));
    }
}
