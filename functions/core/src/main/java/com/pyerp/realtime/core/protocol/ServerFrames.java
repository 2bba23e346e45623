package com.pyerp.realtime.core.protocol;

import java.time.Instant;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Formats the server's frames (see docs/protocol.md). */
public final class ServerFrames {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private ServerFrames() {}

    public static String ack(ClientCommand cmd) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "ack");
        if (cmd.id() != null) n.put("id", cmd.id());
        n.put("action", cmd.action().wire());
        if (cmd.channel() != null) n.put("channel", cmd.channel());
        return JSON.writeValueAsString(n);
    }

    public static String pong(ClientCommand cmd, Instant now) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "pong");
        if (cmd.id() != null) n.put("id", cmd.id());
        n.put("time", now.toString());
        return JSON.writeValueAsString(n);
    }

    /** The reply to {@code refresh}: the connection now lasts until {@code expiresAt}. */
    public static String refreshed(ClientCommand cmd, Instant expiresAt) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "refreshed");
        if (cmd.id() != null) n.put("id", cmd.id());
        n.put("expiresAt", expiresAt.toString());
        return JSON.writeValueAsString(n);
    }

    public static String error(ErrorCode code, String id, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "error");
        if (id != null) n.put("id", id);
        n.put("code", code.name());
        n.put("message", message);
        return JSON.writeValueAsString(n);
    }
}
