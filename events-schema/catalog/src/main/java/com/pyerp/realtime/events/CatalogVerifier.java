package com.pyerp.realtime.events;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** The checks behind {@link EventCatalog#verify()}; each problem is one readable sentence naming the event or family. */
final class CatalogVerifier {
    static final String DRAFT_04 = "http://json-schema.org/draft-04/schema#";
    static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9-]*:[a-z][a-z0-9-]*");
    static final Pattern EVENT_NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    static final Pattern SOURCE = Pattern.compile("pyerp\\.[a-z][a-z0-9-]*");
    static final Pattern DETAIL_TYPE = Pattern.compile("[A-Z][A-Za-z0-9]{2,127}");
    /** Coalescing windows longer than this would hold back stale-event detection for too long. */
    static final long MAX_COALESCE_WINDOW_MILLIS = 15 * 60 * 1000L;

    private CatalogVerifier() {}

    static List<String> verify(EventCatalog catalog) {
        List<String> out = new ArrayList<>();
        verifyFamilies(catalog, out);
        JsonNode metaFragment = EventCatalog.readTree(EventCatalog.BASE + "schemas/_meta.fragment.json");
        Set<String> names = new HashSet<>();
        for (EventDefinition e : catalog.events()) {
            String at = "event " + e.name() + ": ";
            if (!names.add(e.name())) out.add(at + "the name is used twice");
            if (!EVENT_NAME.matcher(e.name()).matches()) out.add(at + "the name must be kebab-case");
            if (!SOURCE.matcher(e.source()).matches())
                out.add(at + "source " + e.source() + " must look like pyerp.<domain>");
            if (!DETAIL_TYPE.matcher(e.detailType()).matches())
                out.add(at + "detail-type " + e.detailType() + " must be PascalCase");
            verifySchema(catalog, e, metaFragment, at, out);
            verifyChannels(catalog, e, at, out);
            verifySensitiveFields(catalog, e, at, out);
            verifyCoalesce(e, at, out);
            verifyExamples(catalog, e, at, out);
        }
        return out;
    }

    private static void verifyFamilies(EventCatalog catalog, List<String> out) {
        List<ChannelFamily> fs = catalog.channelFamilies();
        for (ChannelFamily f : fs) {
            for (String r : f.roles()) {
                if (!ROLE.matcher(r).matches())
                    out.add("family " + f.pattern() + ": role " + r + " must look like area:permission");
            }
            for (String seg : f.pattern().split("\\.")) {
                if (!Templates.isParam(seg) && !ChannelNames.isValidSegment(seg)) {
                    out.add("family " + f.pattern() + ": segment " + seg + " is not a valid channel segment");
                }
                if (Templates.isArrayParam(seg))
                    out.add("family " + f.pattern() + ": a family pattern cannot expand arrays");
            }
        }
        for (int i = 0; i < fs.size(); i++) {
            for (int j = i + 1; j < fs.size(); j++) {
                if (overlap(fs.get(i).pattern(), fs.get(j).pattern())) {
                    out.add("families " + fs.get(i).pattern() + " and "
                            + fs.get(j).pattern() + " can match the same channel");
                }
            }
        }
    }

    /** Two templates overlap when some channel matches both: same length and, per segment, equal literals or a parameter. */
    static boolean overlap(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        if (x.length != y.length) return false;
        for (int i = 0; i < x.length; i++) {
            if (!Templates.isParam(x[i]) && !Templates.isParam(y[i]) && !x[i].equals(y[i])) return false;
        }
        return true;
    }

    private static void verifySchema(
            EventCatalog catalog, EventDefinition e, JsonNode metaFragment, String at, List<String> out) {
        JsonNode s = e.schemaNode();
        if (!DRAFT_04.equals(s.path("$schema").asString("")))
            out.add(at + "the schema must declare $schema " + DRAFT_04);
        if (!e.detailType().equals(s.path("title").asString("")))
            out.add(at + "the schema title must be the detail-type " + e.detailType());
        if (!"object".equals(s.path("type").asString(""))) out.add(at + "the schema must be of type object");
        if (s.path("additionalProperties").asBoolean(true)) {
            out.add(at + "the schema must set additionalProperties false (a typo in a field name must not pass)");
        }
        if (s.toString().contains("\"$ref\"")) {
            out.add(
                    at
                            + "the schema must be self-contained (no $ref), so the EventBridge Schema Registry accepts it unchanged");
        }
        String tenant = catalog.tenantField();
        if (!requiredFields(s).contains(tenant)) out.add(at + "the schema must require " + tenant);
        if (!"string".equals(s.path("properties").path(tenant).path("type").asString(""))) {
            out.add(at + "the schema must declare " + tenant + " as a string");
        }
        if (!Tenants.PATTERN.equals(
                s.path("properties").path(tenant).path("pattern").asString(""))) {
            out.add(at + "the schema must declare " + tenant + " with the tenant rule's pattern " + Tenants.PATTERN);
        }
        String meta = catalog.metaField();
        JsonNode metaSchema = s.path("properties").get(meta);
        if (metaSchema == null || !metaSchema.equals(metaFragment)) {
            out.add(at + "the schema must declare " + meta + " exactly as schemas/_meta.fragment.json");
        }
        if (requiredFields(s).contains(meta)) out.add(at + meta + " must stay optional");
    }

    private static void verifyChannels(EventCatalog catalog, EventDefinition e, String at, List<String> out) {
        JsonNode props = e.schemaNode().path("properties");
        for (String t : e.channelTemplates()) {
            for (String seg : t.split("\\.")) {
                if (!Templates.isParam(seg)) continue;
                String field = Templates.paramName(seg);
                JsonNode p = props.get(field);
                if (p == null) {
                    out.add(at + "channel " + t + " uses " + field + ", which the schema does not declare");
                } else if (Templates.isArrayParam(seg)) {
                    if (!"array".equals(p.path("type").asString(""))
                            || !"string".equals(p.path("items").path("type").asString(""))) {
                        out.add(at + "channel " + t + " expands " + field + ", which must be an array of strings");
                    }
                } else if (!"string".equals(p.path("type").asString(""))) {
                    out.add(at + "channel " + t + " uses " + field + ", which must be a string");
                }
            }
        }
        Permission derived = catalog.permissionOf(e);
        if (!derived.equals(e.permission())) {
            out.add(at + "permission states " + e.permission().describe() + " but its channels need "
                    + derived.describe());
        }
    }

    private static void verifySensitiveFields(EventCatalog catalog, EventDefinition e, String at, List<String> out) {
        for (EventDefinition.SensitiveField f : e.sensitiveFields()) {
            if (f.roles().isEmpty()) out.add(at + "sensitive field " + f.field() + " names no role that may see it");
            for (String r : f.roles()) {
                if (!ROLE.matcher(r).matches())
                    out.add(at + "sensitive field " + f.field() + ": role " + r + " must look like area:permission");
            }
            if (schemaAt(e.schemaNode(), f.field()).isEmpty()) {
                out.add(at + "sensitive field " + f.field() + " is not declared in the schema");
            }
            if (f.field().equals(catalog.tenantField()) || f.field().equals(catalog.metaField())) {
                out.add(at + "sensitive field " + f.field() + " cannot be hidden");
            }
        }
    }

    private static void verifyCoalesce(EventDefinition e, String at, List<String> out) {
        Optional<EventDefinition.Coalesce> c = e.coalesce();
        if (c.isEmpty()) return;
        if (c.get().windowMillis() > MAX_COALESCE_WINDOW_MILLIS) out.add(at + "coalesce window over 15 minutes");
        Matcher m = EventDefinition.KEY_PART.matcher(c.get().keyTemplate());
        boolean anyParam = false;
        while (m.find()) {
            if (m.group(1) == null) continue;
            anyParam = true;
            if (!e.schemaNode().path("properties").has(m.group(1))) {
                out.add(at + "coalesce key uses " + m.group(1) + ", which the schema does not declare");
            }
        }
        if (!anyParam)
            out.add(at + "coalesce key " + c.get().keyTemplate()
                    + " has no {field}: every event would collapse into one");
    }

    private static void verifyExamples(EventCatalog catalog, EventDefinition e, String at, List<String> out) {
        if (e.examples().isEmpty()) out.add(at + "no valid example");
        List<ChannelFamily> families = catalog.familiesOf(e);
        for (int i = 0; i < e.examples().size(); i++) {
            String path = e.examples().get(i);
            JsonNode d;
            try {
                d = EventCatalog.readTree(EventCatalog.BASE + path);
            } catch (CatalogException ex) {
                out.add(at + ex.getMessage());
                continue;
            }
            List<String> errors = e.validate(d);
            if (!errors.isEmpty()) out.add(at + "example " + path + " is invalid: " + errors);
            List<String> channels = e.channelsFor(d);
            if (channels.isEmpty()) out.add(at + "example " + path + " reaches no channel");
            for (String ch : channels) {
                Optional<EventCatalog.ChannelMatch> m = catalog.matchChannel(ch);
                if (m.isEmpty() || !families.contains(m.get().family())) {
                    out.add(at + "example " + path + " yields channel " + ch
                            + ", which is not in one of the event's families");
                }
            }
        }
        if (e.invalidExamples().isEmpty()) {
            out.add(at + "no invalid examples");
            return;
        }
        List<EventDefinition.InvalidExample> cases;
        try {
            cases = e.invalidExampleCases();
        } catch (CatalogException ex) {
            out.add(at + ex.getMessage());
            return;
        }
        if (cases.isEmpty()) out.add(at + "the invalid examples file is empty");
        for (EventDefinition.InvalidExample c : cases) {
            if (c.detail() == null || c.expect().isBlank() || c.why().isBlank()) {
                out.add(at + "an invalid example needs why, expect and detail: " + c);
                continue;
            }
            List<String> errors = e.validate(c.detail());
            if (errors.isEmpty()) {
                out.add(at + "invalid example '" + c.why() + "' passes validation");
            } else if (errors.stream().noneMatch(m -> m.contains(c.expect()))) {
                out.add(at + "invalid example '" + c.why() + "' fails, but not for the expected reason '" + c.expect()
                        + "': " + errors);
            }
        }
    }

    static Set<String> requiredFields(JsonNode schema) {
        Set<String> out = new HashSet<>();
        for (JsonNode r : schema.path("required")) out.add(r.asString());
        return out;
    }

    /** The sub-schema of a field path ({@code a}, {@code a.b}, {@code lines[].unitPrice}), if the schema declares it. */
    static Optional<JsonNode> schemaAt(JsonNode schema, String path) {
        JsonNode node = schema;
        for (String seg : path.split("\\.")) {
            boolean each = seg.endsWith("[]");
            String field = each ? seg.substring(0, seg.length() - 2) : seg;
            node = node.path("properties").get(field);
            if (node == null) return Optional.empty();
            if (each) {
                if (!"array".equals(node.path("type").asString(""))) return Optional.empty();
                node = node.path("items");
            }
        }
        return Optional.of(node);
    }
}
