package com.pyerp.realtime.events.publisher;

import java.util.List;

/**
 * What happened to one event of a {@link ErpEventPublisher#publish} call.
 *
 * @param event         the event as given
 * @param status        {@link Status#SENT}, {@link Status#REJECTED} (never sent: invalid) or {@link Status#FAILED}
 * @param eventId       the EventBridge event id when sent, else null
 * @param correlationId the correlation id the event carries ({@code detail._meta.correlationId}); set for rejected events too
 * @param errorCode     when failed: EventBridge's per-entry ErrorCode (e.g. {@code ThrottlingException}) or the
 *                      SDK exception's class; when rejected: {@code Invalid}; else null
 * @param errors        readable reasons (schema violations, EventBridge's ErrorMessage); empty when sent
 * @param attempts      how many PutEvents calls carried this event (0 when rejected)
 */
public record PublishResult(
        ErpEvent event,
        Status status,
        String eventId,
        String correlationId,
        String errorCode,
        List<String> errors,
        int attempts) {
    public enum Status {
        SENT,
        REJECTED,
        FAILED
    }

    public PublishResult {
        errors = List.copyOf(errors);
    }

    public boolean sent() {
        return status == Status.SENT;
    }
}
