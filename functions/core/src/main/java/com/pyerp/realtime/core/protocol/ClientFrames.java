package com.pyerp.realtime.core.protocol;

import com.pyerp.realtime.events.ProtocolSchemas;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses client frames. Never trusts a frame: size, JSON shape and action are checked here, and the
 * fields against {@code protocol/client-frame.schema.json} (the one definition of the frames, shared
 * with the AsyncAPI document and the JS client). Every refusal carries a code from {@link ErrorCode}
 * and, when it could be read, the client's {@code id}.
 */
public final class ClientFrames {
    /** API Gateway's message limit; the gateway closes the socket above it, this guards the handler too. */
    public static final int MAX_FRAME_BYTES = 128 * 1024;
    public static final int MAX_ID_LENGTH = 64;
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private ClientFrames() {}

    public static ClientCommand parse(String body) throws ProtocolException {
        if (body == null || body.isEmpty()) throw new ProtocolException(ErrorCode.BAD_FRAME, null, "empty frame");
        if (body.length() > MAX_FRAME_BYTES) throw new ProtocolException(ErrorCode.MESSAGE_TOO_BIG, null, "frame over " + MAX_FRAME_BYTES + " bytes");
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new ProtocolException(ErrorCode.BAD_FRAME, null, "frame is not valid JSON");
        }
        if (node == null || !node.isObject()) throw new ProtocolException(ErrorCode.BAD_FRAME, null, "frame must be a JSON object");

        JsonNode idNode = node.get("id");
        String id = idNode != null && idNode.isString() && idNode.asString().length() <= MAX_ID_LENGTH ? idNode.asString() : null;
        JsonNode actionNode = node.get("action");
        ClientCommand.Action action = actionNode != null && actionNode.isString() ? ClientCommand.Action.fromWire(actionNode.asString()) : null;
        if (action == null || !ProtocolSchemas.clientActions().contains(action.wire())) {
            throw new ProtocolException(ErrorCode.UNKNOWN_ACTION, id, "action must be one of " + String.join(", ", ProtocolSchemas.clientActions()));
        }
        List<String> violations = ProtocolSchemas.validateClientFrame(node);
        if (!violations.isEmpty()) {
            throw new ProtocolException(ErrorCode.INVALID_FRAME, id, action.wire() + ": " + String.join("; ", violations));
        }
        JsonNode ch = node.get("channel");
        return new ClientCommand(action, ch == null ? null : ch.asString(), id);
    }
}
