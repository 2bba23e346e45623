package com.pyerp.realtime.core.protocol;

import com.pyerp.realtime.core.history.StreamPosition;
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.events.ProtocolLimits;
import com.pyerp.realtime.events.ProtocolSchemas;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Parses client frames. Never trusts a frame: size, JSON shape and action are checked here, and the
 * fields against {@code protocol/client-frame.schema.json} (the one definition of the frames, shared
 * with the AsyncAPI document and the JS client). Every refusal carries a code from {@link ErrorCode}
 * and, when it could be read, the client's {@code id}.
 */
public final class ClientFrames {
    public static final int MAX_ID_LENGTH = 64;
    /** The schema's bound on the channel field; the channel grammar (INVALID_CHANNEL) is checked later, by the policy. */
    public static final int MAX_CHANNEL_FIELD_LENGTH = 1024;

    private ClientFrames() {}

    public static ClientCommand parse(String body) throws ProtocolException {
        if (body == null || body.isEmpty()) throw new ProtocolException(ErrorCode.BAD_FRAME, null, "empty frame");
        if (overLimit(body))
            throw new ProtocolException(
                    ErrorCode.MESSAGE_TOO_BIG, null, "message over " + ProtocolLimits.MAX_MESSAGE_BYTES + " bytes");
        JsonNode node;
        try {
            node = Json.mapper().readTree(body);
        } catch (JacksonException e) {
            throw new ProtocolException(ErrorCode.BAD_FRAME, null, "frame is not valid JSON");
        }
        if (node == null || !node.isObject())
            throw new ProtocolException(ErrorCode.BAD_FRAME, null, "frame must be a JSON object");

        JsonNode idNode = node.get("id");
        if (idNode != null && (!idNode.isString() || idNode.asString().length() > MAX_ID_LENGTH)) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FRAME, null, "id must be a string of at most " + MAX_ID_LENGTH + " characters");
        }
        String id = idNode == null ? null : idNode.asString();
        JsonNode actionNode = node.get("action");
        ClientCommand.Action action = actionNode != null && actionNode.isString()
                ? ClientCommand.Action.fromWire(actionNode.asString())
                : null;
        if (action == null || !ProtocolSchemas.clientActions().contains(action.wire())) {
            throw new ProtocolException(
                    ErrorCode.UNKNOWN_ACTION,
                    id,
                    "action must be one of " + String.join(", ", ProtocolSchemas.clientActions()));
        }
        List<String> violations = ProtocolSchemas.validateClientFrame(node);
        if (!violations.isEmpty()) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FRAME, id, action.wire() + ": " + String.join("; ", violations));
        }
        JsonNode ch = node.get("channel");
        JsonNode token = node.get("token");
        JsonNode rec = node.get("recover");
        StreamPosition recover = rec == null
                ? null
                : new StreamPosition(
                        rec.get("offset").asLong(), rec.get("epoch").asString());
        return new ClientCommand(
                action,
                ch == null ? null : ch.asString(),
                id,
                token == null || !token.isString() ? null : token.asString(),
                recover,
                node.get("data"));
    }

    /**
     * Whether the message is over {@link ProtocolLimits#MAX_MESSAGE_BYTES} on the wire (UTF-8): the gateway (API
     * Gateway or the local one) closes the socket above it, and this guards the handler too. Counted without encoding
     * it: a char is one to three bytes (a surrogate pair, two chars, is four), so only messages between a third of the
     * limit and the limit need counting.
     */
    static boolean overLimit(String s) {
        int max = ProtocolLimits.MAX_MESSAGE_BYTES;
        if (s.length() > max) return true;
        if (s.length() * 3L <= max) return false;
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 1; // the pair is four bytes: three counted for the high surrogate, one more, skip the low one
                i++;
            }
        }
        return bytes > max;
    }
}
