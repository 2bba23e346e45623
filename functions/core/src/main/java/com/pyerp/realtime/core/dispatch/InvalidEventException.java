package com.pyerp.realtime.core.dispatch;

/** An event the dispatcher will not deliver (unreadable, unknown detail-type, schema failure). */
public class InvalidEventException extends RuntimeException {
    private final String eventId;

    public InvalidEventException(String eventId, String reason) {
        super(reason);
        this.eventId = eventId;
    }

    public String eventId() {
        return eventId;
    }
}
