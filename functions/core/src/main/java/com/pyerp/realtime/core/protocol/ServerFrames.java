package com.pyerp.realtime.core.protocol;

import com.pyerp.realtime.core.history.StreamPosition;
import com.pyerp.realtime.events.Json;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Formats the server's frames (see docs/protocol.md). */
public final class ServerFrames {

    private ServerFrames() {}

    public static String ack(ClientCommand cmd) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", "ack");
        if (cmd.id() != null) n.put("id", cmd.id());
        n.put("action", cmd.action().wire());
        if (cmd.channel() != null) n.put("channel", cmd.channel());
        return Json.mapper().writeValueAsString(n);
    }

    /**
     * The subscribe ack on a channel with history: the channel's current {@code offset} and {@code epoch}, and when
     * the client asked to recover, {@code recovered} and (when true) the missed events as event frames.
     */
    public static String ack(
            ClientCommand cmd, StreamPosition position, Boolean recovered, List<? extends JsonNode> publications) {
        ObjectNode n = (ObjectNode) Json.mapper().readTree(ack(cmd));
        n.put("offset", position.offset());
        n.put("epoch", position.epoch());
        if (recovered != null) n.put("recovered", recovered);
        if (Boolean.TRUE.equals(recovered) && !publications.isEmpty()) {
            ArrayNode a = n.putArray("publications");
            publications.forEach(a::add);
        }
        return Json.mapper().writeValueAsString(n);
    }

    /** The reply to the presence action: the channel's members, one per user. */
    public static String presence(ClientCommand cmd, List<com.pyerp.realtime.core.presence.Member> members) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", "presence");
        if (cmd.id() != null) n.put("id", cmd.id());
        n.put("channel", cmd.channel());
        ArrayNode a = n.putArray("members");
        for (var m : members) a.addObject().put("userId", m.userId()).put("connections", m.connections());
        return Json.mapper().writeValueAsString(n);
    }

    /** A client message relayed to the other subscribers: {@code from} is the sender per its token. */
    public static String message(String channel, String fromUserId, JsonNode data) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", "message");
        n.put("channel", channel);
        n.putObject("from").put("userId", fromUserId);
        n.set("data", data);
        return Json.mapper().writeValueAsString(n);
    }

    public static String pong(ClientCommand cmd, Instant now) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", "pong");
        if (cmd.id() != null) n.put("id", cmd.id());
        n.put("time", now.toString());
        return Json.mapper().writeValueAsString(n);
    }

    /** The reply to {@code refresh}: the connection now lasts until {@code expiresAt}. */
    public static String refreshed(ClientCommand cmd, Instant expiresAt) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", "refreshed");
        if (cmd.id() != null) n.put("id", cmd.id());
        n.put("expiresAt", expiresAt.toString());
        return Json.mapper().writeValueAsString(n);
    }

    public static String error(ErrorCode code, String id, String message) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", "error");
        if (id != null) n.put("id", id);
        n.put("code", code.name());
        n.put("message", message);
        return Json.mapper().writeValueAsString(n);
    }
}
