package com.pyerp.realtime.events;

import com.networknt.schema.Schema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The client protocol ({@code erp.v1}) as JSON Schemas: {@code protocol/client-frame.schema.json} (what browsers send),
 * {@code protocol/server-frame.schema.json} (what the server sends) and {@code protocol/error-codes.json}.
 *
 * <p>Each schema is a {@code oneOf} over per-action (per-type) definitions. Validating against the whole
 * {@code oneOf} reports the failures of every branch, which is noise for a client that only got one field wrong;
 * so this class picks the branch by {@code action} ({@code type}) and validates against that definition, within
 * the same schema document. Messages read {@code $.channel: required property ...}.
 */
public final class ProtocolSchemas {
    public static final String CLIENT_FRAME = "protocol/client-frame.schema.json";
    public static final String SERVER_FRAME = "protocol/server-frame.schema.json";
    public static final String ERROR_CODES = "protocol/error-codes.json";

    /** One entry of {@code protocol/error-codes.json}. {@code delivery} is {@code frame}, {@code close} or {@code handshake}. */
    public record ErrorCodeInfo(
            String code, int number, boolean keepsConnection, String delivery, String description) {}

    private ProtocolSchemas() {}

    private static final class Holder {
        static final Branches CLIENT = Branches.load(CLIENT_FRAME, "action");
        static final Branches SERVER = Branches.load(SERVER_FRAME, "type");
        static final List<ErrorCodeInfo> CODES = loadCodes();
    }

    /**
     * The violations of a client frame, empty when it is valid. A frame that is not an object, or whose
     * {@code action} is missing or unknown, gets a single message saying so (the server answers {@code BAD_FRAME}
     * and {@code UNKNOWN_ACTION} for these before it validates); otherwise the messages of the action's schema.
     */
    public static List<String> validateClientFrame(JsonNode frame) {
        return Holder.CLIENT.validate(frame, "frame");
    }

    /** The violations of a server frame ({@code ack}, {@code error}, {@code pong}, {@code event}), empty when valid. */
    public static List<String> validateServerFrame(JsonNode frame) {
        return Holder.SERVER.validate(frame, "server frame");
    }

    /** The client actions the schema defines, in schema order: subscribe, unsubscribe, ping. */
    public static Set<String> clientActions() {
        return Holder.CLIENT.byValue.keySet();
    }

    /** The server frame types the schema defines, in schema order: ack, error, pong, event. */
    public static Set<String> serverFrameTypes() {
        return Holder.SERVER.byValue.keySet();
    }

    /** The error-code catalogue, in file order. */
    public static List<ErrorCodeInfo> errorCodes() {
        return Holder.CODES;
    }

    private record Branches(String discriminator, Map<String, Schema> byValue) {
        static Branches load(String path, String discriminator) {
            JsonNode root = EventCatalog.readTree(EventCatalog.BASE + path);
            Map<String, Schema> out = new LinkedHashMap<>();
            for (JsonNode ref : root.path("oneOf")) {
                String pointer = ref.path("$ref").asString("");
                if (!pointer.startsWith("#/definitions/"))
                    throw new CatalogException(path + ": oneOf must hold $ref #/definitions/...");
                String def = pointer.substring("#/definitions/".length());
                JsonNode enumValues = root.path("definitions")
                        .path(def)
                        .path("properties")
                        .path(discriminator)
                        .path("enum");
                if (enumValues.size() != 1)
                    throw new CatalogException(
                            path + ": definition " + def + " must fix " + discriminator + " to one value");
                ObjectNode branch = ((ObjectNode) root).deepCopy();
                branch.remove("oneOf");
                branch.putArray("allOf").addObject().put("$ref", pointer);
                String value = enumValues.get(0).asString();
                out.put(value, Schemas.compile(path.replace(".schema.json", "/" + value + ".schema.json"), branch));
            }
            return new Branches(discriminator, Collections.unmodifiableMap(out));
        }

        List<String> validate(JsonNode frame, String what) {
            if (frame == null || !frame.isObject()) return List.of("$: the " + what + " must be a JSON object");
            JsonNode d = frame.get(discriminator);
            Schema schema = d != null && d.isString() ? byValue.get(d.asString()) : null;
            if (schema == null) {
                return List.of("$." + discriminator + ": must be one of " + String.join(", ", byValue.keySet())
                        + (d == null ? " (missing)" : ", got " + d));
            }
            return Schemas.messages(schema.validate(frame));
        }
    }

    private static List<ErrorCodeInfo> loadCodes() {
        List<ErrorCodeInfo> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode c : EventCatalog.readTree(EventCatalog.BASE + ERROR_CODES).path("codes")) {
            ErrorCodeInfo info = new ErrorCodeInfo(
                    c.path("code").asString(),
                    c.path("number").asInt(),
                    c.path("keepsConnection").asBoolean(),
                    c.path("delivery").asString(),
                    c.path("description").asString());
            if (!seen.add(info.code())) throw new CatalogException(ERROR_CODES + ": code " + info.code() + " twice");
            out.add(info);
        }
        return List.copyOf(out);
    }
}
