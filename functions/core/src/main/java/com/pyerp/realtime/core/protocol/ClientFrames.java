package com.pyerp.realtime.core.protocol;

import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses client frames. Never trusts a frame: size, JSON shape, action, fields and their types are
 * checked, and every refusal carries a code from {@link ErrorCode}. The rules are those of
 * {@code protocol/client-frame.schema.json} (a test checks the two agree).
 */
public final class ClientFrames {
    /** API Gateway's message limit; the gateway closes the socket above it, this guards the handler too. */
    public static final int MAX_FRAME_BYTES = 128 * 1024;
    public static final int MAX_ID_LENGTH = 64;
    /** The schema's bound on the channel field; the channel grammar (INVALID_CHANNEL) is checked later, by the policy. */
    public static final int MAX_CHANNEL_FIELD_LENGTH = 1024;
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Set<String> CHANNEL_FIELDS = Set.of("action", "channel", "id");
    private static final Set<String> PING_FIELDS = Set.of("action", "id");

    private ClientFrames() {}

    public static ClientCommand parse(String body) throws ProtocolException {
        if (body == null || body.isEmpty()) throw new ProtocolException(ErrorCode.BAD_FRAME, null, "empty frame");
        if (overLimit(body)) throw new ProtocolException(ErrorCode.MESSAGE_TOO_BIG, null, "frame over " + MAX_FRAME_BYTES + " bytes");
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new ProtocolException(ErrorCode.BAD_FRAME, null, "frame is not valid JSON");
        }
        if (node == null || !node.isObject()) throw new ProtocolException(ErrorCode.BAD_FRAME, null, "frame must be a JSON object");

        String id = null;
        JsonNode idNode = node.get("id");
        if (idNode != null) {
            if (!idNode.isString() || idNode.asString().length() > MAX_ID_LENGTH) {
                throw new ProtocolException(ErrorCode.INVALID_FRAME, null, "id must be a string of at most " + MAX_ID_LENGTH + " characters");
            }
            id = idNode.asString();
        }
        JsonNode actionNode = node.get("action");
        ClientCommand.Action action = actionNode != null && actionNode.isString() ? ClientCommand.Action.fromWire(actionNode.asString()) : null;
        if (action == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_ACTION, id, "action must be one of subscribe, unsubscribe, ping");
        }
        Set<String> allowed = action == ClientCommand.Action.PING ? PING_FIELDS : CHANNEL_FIELDS;
        for (String field : node.propertyNames()) {
            if (!allowed.contains(field)) throw new ProtocolException(ErrorCode.INVALID_FRAME, id, "unknown field '" + field + "' for " + action.wire());
        }
        String channel = null;
        if (action != ClientCommand.Action.PING) {
            JsonNode ch = node.get("channel");
            if (ch == null || !ch.isString() || ch.asString().isEmpty() || ch.asString().length() > MAX_CHANNEL_FIELD_LENGTH) {
                throw new ProtocolException(ErrorCode.INVALID_FRAME, id, action.wire() + " needs a channel string of 1-" + MAX_CHANNEL_FIELD_LENGTH + " characters");
            }
            channel = ch.asString();
        }
        return new ClientCommand(action, channel, id);
    }

    /**
     * Whether the frame is over {@link #MAX_FRAME_BYTES} on the wire (UTF-8), counted without encoding it: a char is
     * one to three bytes (a surrogate pair, two chars, is four), so only frames between a third of the limit and the
     * limit need counting.
     */
    static boolean overLimit(String s) {
        if (s.length() > MAX_FRAME_BYTES) return true;
        if (s.length() * 3L <= MAX_FRAME_BYTES) return false;
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 1; // the pair is four bytes: three counted for the high surrogate, one more, skip the low one
                i++;
            }
        }
        return bytes > MAX_FRAME_BYTES;
    }
}
