package com.pyerp.realtime.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The AsyncAPI 3.0 document, the protocol JSON Schemas, the error-code catalogue and docs/protocol.md say the same:
 * the same client actions and replies, the same server frames, the same error codes; and every example in the
 * document is a valid frame.
 */
class AsyncApiDocumentTest {
    private static final String DOC = EventCatalog.BASE + "asyncapi.yaml";
    private static JsonNode doc;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = AsyncApiDocumentTest.class.getClassLoader().getResourceAsStream(DOC)) {
            doc = YAMLMapper.builder().build().readTree(in);
        }
    }

    /** Resolves {@code #/a/b} in the document and {@code ./protocol/x.json#/a/b} in the catalog resources. */
    private static JsonNode resolve(String ref) {
        int hash = ref.indexOf('#');
        String file = hash < 0 ? ref : ref.substring(0, hash);
        String pointer = hash < 0 ? "" : ref.substring(hash + 1);
        JsonNode base =
                file.isEmpty() ? doc : EventCatalog.readTree(EventCatalog.BASE + file.replaceFirst("^\\./", ""));
        JsonNode target = base.at(pointer);
        assertThat(target.isMissingNode()).as("$ref " + ref + " resolves").isFalse();
        return target;
    }

    private static JsonNode deref(JsonNode node) {
        return node.has("$ref") ? resolve(node.get("$ref").asString()) : node;
    }

    /** The message names an operation list refers to, e.g. {@code #/channels/erp/messages/ack} gives {@code ack}. */
    private static List<String> messageNames(JsonNode refs) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : refs) {
            String ref = r.get("$ref").asString();
            resolve(ref);
            out.add(ref.substring(ref.lastIndexOf('/') + 1));
        }
        return out;
    }

    @Test
    void isAnAsyncApi3Document_whoseReferencesAllResolve() {
        assertThat(doc.path("asyncapi").asString()).isEqualTo("3.0.0");
        assertThat(doc.path("info").path("version").asString()).isEqualTo("erp.v1");
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).hasSizeGreaterThan(20);
        refs.forEach(AsyncApiDocumentTest::resolve);
        for (JsonNode op : doc.path("operations")) {
            assertThat(op.path("action").asString()).isIn("send", "receive");
            assertThat(op.path("channel").path("$ref").asString()).isEqualTo("#/channels/erp");
        }
        for (JsonNode m : doc.path("components").path("messages")) {
            assertThat(m.path("payload").path("schemaFormat").asString())
                    .isEqualTo("application/schema+json;version=draft-04");
        }
    }

    private static void collectRefs(JsonNode n, List<String> out) {
        if (n.isObject()) {
            if (n.has("$ref")) out.add(n.get("$ref").asString());
            for (JsonNode c : n) collectRefs(c, out);
        } else if (n.isArray()) {
            for (JsonNode c : n) collectRefs(c, out);
        }
    }

    @Test
    void sendOperations_areTheClientActions_withTheirSchemaDefinitions() {
        Set<String> sent = new LinkedHashSet<>();
        for (JsonNode op : doc.path("operations")) {
            if (op.path("action").asString().equals("send")) sent.addAll(messageNames(op.path("messages")));
        }
        assertThat(sent).isEqualTo(ProtocolSchemas.clientActions());
        for (String action : sent) {
            JsonNode payload = deref(doc.path("components").path("messages").path(action))
                    .path("payload")
                    .path("schema");
            assertThat(payload.path("$ref").asString())
                    .isEqualTo("./" + ProtocolSchemas.CLIENT_FRAME + "#/definitions/" + action);
            assertThat(deref(payload)
                            .path("properties")
                            .path("action")
                            .path("enum")
                            .get(0)
                            .asString())
                    .isEqualTo(action);
        }
    }

    @Test
    void receivedAndReplyMessages_areTheServerFrames_withTheirSchemaDefinitions() {
        Set<String> received = new LinkedHashSet<>();
        for (JsonNode op : doc.path("operations")) {
            if (op.path("action").asString().equals("receive")) received.addAll(messageNames(op.path("messages")));
            if (op.has("reply")) received.addAll(messageNames(op.path("reply").path("messages")));
        }
        // a message is named after its frame type, except where a client action has the same name (presence)
        Set<String> types = new LinkedHashSet<>();
        for (String message : received) {
            JsonNode payload = deref(doc.path("components").path("messages").path(message))
                    .path("payload")
                    .path("schema");
            String ref = payload.path("$ref").asString();
            String type = ref.substring(ref.lastIndexOf('/') + 1);
            types.add(type);
            assertThat(message).isIn(type, type + "Reply");
            assertThat(ref).isEqualTo("./" + ProtocolSchemas.SERVER_FRAME + "#/definitions/" + type);
            assertThat(deref(payload)
                            .path("properties")
                            .path("type")
                            .path("enum")
                            .get(0)
                            .asString())
                    .isEqualTo(type);
        }
        assertThat(types).containsExactlyInAnyOrderElementsOf(ProtocolSchemas.serverFrameTypes());
    }

    @Test
    void replies_matchTheAckSchema_andEveryCommandCanFail() {
        Map<String, List<String>> replies = new LinkedHashMap<>();
        for (JsonNode op : doc.path("operations")) {
            if (!op.path("action").asString().equals("send")) continue;
            assertThat(op.has("reply")).isTrue();
            replies.put(
                    messageNames(op.path("messages")).get(0),
                    messageNames(op.path("reply").path("messages")));
        }
        Set<String> ackedInDoc = new LinkedHashSet<>();
        replies.forEach((action, r) -> {
            if (r.contains("ack")) ackedInDoc.add(action);
        });
        Set<String> ackedInSchema = new LinkedHashSet<>();
        for (JsonNode v : resolve("./" + ProtocolSchemas.SERVER_FRAME + "#/definitions/ack/properties/action/enum"))
            ackedInSchema.add(v.asString());
        assertThat(ackedInDoc).isEqualTo(ackedInSchema);
        assertThat(replies.get("ping")).containsExactly("pong");
        assertThat(replies.get("subscribe")).containsExactly("ack", "error");
        assertThat(replies.get("unsubscribe")).containsExactly("ack", "error");
    }

    @Test
    void errorCodes_areTheCatalogue() {
        List<String> inDoc = new ArrayList<>();
        for (JsonNode c : doc.path("components").path("messages").path("error").path("x-error-codes")) {
            inDoc.add(c.path("code").asString() + "/" + c.path("number").asInt() + "/"
                    + c.path("keepsConnection").asBoolean() + "/"
                    + c.path("delivery").asString());
        }
        List<String> catalogue = new ArrayList<>();
        for (ProtocolSchemas.ErrorCodeInfo c : ProtocolSchemas.errorCodes()) {
            catalogue.add(c.code() + "/" + c.number() + "/" + c.keepsConnection() + "/" + c.delivery());
        }
        assertThat(inDoc).isEqualTo(catalogue);
    }

    @Test
    void everyExample_isAValidFrame() {
        int checked = 0;
        for (Map.Entry<String, JsonNode> m :
                doc.path("components").path("messages").properties()) {
            boolean fromClient = ProtocolSchemas.clientActions().contains(m.getKey());
            assertThat(m.getValue().path("examples"))
                    .as(m.getKey() + " has examples")
                    .isNotEmpty();
            for (JsonNode ex : m.getValue().path("examples")) {
                JsonNode payload = ex.path("payload");
                List<String> errors = fromClient
                        ? ProtocolSchemas.validateClientFrame(payload)
                        : ProtocolSchemas.validateServerFrame(payload);
                assertThat(errors)
                        .as(m.getKey() + " example " + ex.path("name").asString())
                        .isEmpty();
                checked++;
            }
        }
        assertThat(checked)
                .isGreaterThanOrEqualTo(ProtocolSchemas.clientActions().size()
                        + ProtocolSchemas.serverFrameTypes().size());
    }

    @Test
    void docsProtocolMd_listsTheSameActionsAndErrorCodes() throws Exception {
        Path md = Path.of(System.getProperty("user.dir"))
                .resolve("../../docs/protocol.md")
                .normalize();
        assertThat(md).as("docs/protocol.md next to events-schema").exists();
        String text = Files.readString(md);
        List<String> rows = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\| `([A-Z_]+)` \\| (\\d+) \\| (yes|no) \\|")
                .matcher(text);
        while (m.find())
            rows.add(m.group(1) + "/" + m.group(2) + "/" + m.group(3).equals("yes"));
        List<String> catalogue = new ArrayList<>();
        for (ProtocolSchemas.ErrorCodeInfo c : ProtocolSchemas.errorCodes())
            catalogue.add(c.code() + "/" + c.number() + "/" + c.keepsConnection());
        assertThat(rows).isEqualTo(catalogue);

        Set<String> actions = new LinkedHashSet<>();
        Matcher a = Pattern.compile("(?m)^\\| `([a-z]+)` \\| .* \\| `(ack|pong|refreshed|presence)`")
                .matcher(text);
        while (a.find()) actions.add(a.group(1));
        assertThat(actions).isEqualTo(ProtocolSchemas.clientActions());
    }
}
