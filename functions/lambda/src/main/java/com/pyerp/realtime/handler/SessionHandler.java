package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.session.SessionGuard;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.events.Tenants;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Ends sessions from the server side. Two triggers, both EventBridge events:
 *
 * <ul>
 *   <li>the schedule ({@code detail-type} {@value #SCHEDULED}, every {@link SessionGuard#SWEEP_INTERVAL}): closes the
 *       connections whose token expired, with a {@code TOKEN_EXPIRED} frame first;
 *   <li>the ERP's {@value #REVOKED} event on the bus ({@code source} {@value #REVOKED_SOURCE}, detail
 *       {@code {tenantId, userId, reason?}}): closes all of that user's connections, with {@code SESSION_REVOKED}.
 * </ul>
 *
 * Answers {@code {"closed": n}}. An event of another shape is refused with an exception (Lambda reports it).
 */
public final class SessionHandler implements RequestStreamHandler {
    /** The detail-type of EventBridge's scheduled events. */
    public static final String SCHEDULED = "Scheduled Event";
    /** The detail-type and source of the ERP's revocation event (docs: "Ending sessions from the ERP"). */
    public static final String REVOKED = SessionGuard.REVOKED_DETAIL_TYPE;

    public static final String REVOKED_SOURCE = SessionGuard.REVOKED_SOURCE;

    private static final JsonLog LOG = JsonLog.get(SessionHandler.class);
    private final SessionGuard guard;

    public SessionHandler() {
        this(Handlers.defaultConnectionService().guard());
    }

    public SessionHandler(SessionGuard guard) {
        this.guard = guard;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws java.io.IOException {
        java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
        if (context != null) fields.put("lambdaRequestId", context.getAwsRequestId());
        try (JsonLog.Scope log = JsonLog.invocation(fields)) {
            handle(input, output);
        }
    }

    private void handle(InputStream input, OutputStream output) throws java.io.IOException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(input);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the event is not valid JSON");
        }
        String type = root == null ? "" : root.path("detail-type").asString("");
        int closed;
        if (SCHEDULED.equals(type)) {
            closed = guard.sweep();
        } else if (REVOKED.equals(type)
                && REVOKED_SOURCE.equals(root.path("source").asString(""))) {
            JsonNode d = root.path("detail");
            EventCatalog catalog = EventCatalog.load();
            String tenant = Tenants.ofEvent(catalog, d).orElse(null);
            String userId = d.path("userId").asString("");
            if (tenant == null || userId.isEmpty())
                throw new IllegalArgumentException(REVOKED + " needs detail." + catalog.tenantField() + " ("
                        + Tenants.RULE + ") and detail.userId");
            closed = guard.revoke(tenant, userId, d.path("reason").asString(""));
        } else {
            LOG.warn("event ignored: neither the sweep schedule nor " + REVOKED, "detailType", type);
            throw new IllegalArgumentException("unexpected event: detail-type '" + type + "'");
        }
        output.write(("{\"closed\":" + closed + "}").getBytes(StandardCharsets.UTF_8));
    }
}
