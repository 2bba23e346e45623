package com.pyerp.realtime.core.protocol;

import com.pyerp.realtime.core.history.StreamPosition;
import tools.jackson.databind.JsonNode;

/**
 * A well-formed client frame.
 *
 * @param action  subscribe, unsubscribe or ping
 * @param channel the channel (subscribe, unsubscribe), otherwise null
 * @param id      the client's correlation id, echoed in the reply; may be null
 * @param token   the new JWT of a {@code refresh}, otherwise null (never log it)
 * @param recover subscribe only: the position to recover from (docs/protocol.md, "Recovery"); usually null
 * @param data    publish only: the message (a JSON object), otherwise null
 */
public record ClientCommand(
        Action action, String channel, String id, String token, StreamPosition recover, JsonNode data) {
    public ClientCommand(Action action, String channel, String id) {
        this(action, channel, id, null, null, null);
    }

    public ClientCommand(Action action, String channel, String id, String token) {
        this(action, channel, id, token, null, null);
    }

    @Override
    public String toString() {
        return "ClientCommand[action=" + action + ", channel=" + channel + ", id=" + id
                + (token == null ? "" : ", token=REDACTED") + (recover == null ? "" : ", recover=" + recover) + "]";
    }

    public enum Action {
        SUBSCRIBE("subscribe"),
        UNSUBSCRIBE("unsubscribe"),
        PING("ping"),
        REFRESH("refresh"),
        PRESENCE("presence"),
        PUBLISH("publish");

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
