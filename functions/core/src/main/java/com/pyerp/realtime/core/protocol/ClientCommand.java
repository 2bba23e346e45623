package com.pyerp.realtime.core.protocol;

/**
 * A well-formed client frame.
 *
 * @param action  subscribe, unsubscribe or ping
 * @param channel the channel (subscribe, unsubscribe), otherwise null
 * @param id      the client's correlation id, echoed in the reply; may be null
 */
public record ClientCommand(Action action, String channel, String id) {
    public enum Action {
        SUBSCRIBE("subscribe"),
        UNSUBSCRIBE("unsubscribe"),
        PING("ping");

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
