package com.pyerp.realtime.core.protocol;

/**
 * A well-formed client frame.
 *
 * @param action  subscribe, unsubscribe or ping
 * @param channel the channel (subscribe, unsubscribe), otherwise null
 * @param id      the client's correlation id, echoed in the reply; may be null
 * @param token   the new JWT of a {@code refresh}, otherwise null (never log it)
 */
public record ClientCommand(Action action, String channel, String id, String token) {
    public ClientCommand(Action action, String channel, String id) {
        this(action, channel, id, null);
    }

    @Override
    public String toString() {
        return "ClientCommand[action=" + action + ", channel=" + channel + ", id=" + id
                + (token == null ? "" : ", token=REDACTED") + "]";
    }

    public enum Action {
        SUBSCRIBE("subscribe"),
        UNSUBSCRIBE("unsubscribe"),
        PING("ping"),
        REFRESH("refresh");

        private final String wire;

        Action(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static Action fromWire(String s) {
            for (Action a : values()) if (a.wire.equals(s)) return a;
            return null;
        }
    }
}
