package com.pyerp.realtime.events;

import com.networknt.schema.Schema;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One ERP event of the catalog: its EventBridge {@code source} and {@code detail-type}, its JSON Schema,
 * the channel templates it is delivered to, the fields only some roles may see, and an optional
 * coalescing rule (bursts with the same key within the window collapse to the latest).
 */
public final class EventDefinition {
    /** A field of {@code detail} that only subscribers holding one of {@code roles} may see. */
    public record SensitiveField(String field, List<String> roles) {
        public SensitiveField {
            roles = List.copyOf(roles);
        }
    }

    /**
     * Events with the same key (a template over detail fields, e.g. {@code {warehouseId}/{sku}}) collapse to the latest:
     * within one dispatcher invocation a batch keeps the latest per key; across invocations a warm dispatcher drops an
     * event whose EventBridge time is earlier than the latest delivered one with the same key, for {@code windowMillis}.
     * Best effort, never a correctness mechanism (see events-schema/README.md).
     */
    /**
     * @param orderBy a required date-time field of {@code detail} that orders events of one key (when the ERP
     *                changed the thing), finer than EventBridge's one-second {@code time}; null = use {@code time}
     */
    public record Coalesce(String keyTemplate, long windowMillis, String orderBy) {}

    /** When the ERP says this event happened, for ordering events of one coalescing key: {@code detail[orderBy]}. */
    public Optional<java.time.Instant> orderOf(JsonNode detail) {
        if (coalesce == null || coalesce.orderBy() == null || detail == null) return Optional.empty();
        JsonNode v = detail.get(coalesce.orderBy());
        if (v == null || !v.isString()) return Optional.empty();
        try {
            return Optional.of(java.time.OffsetDateTime.parse(v.asString()).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A coalescing key template: {@code {field}} parameters between literal text. */
    static final Pattern KEY_PART = Pattern.compile("\\{([A-Za-z0-9_]+)}|([^{]+)");

    private final String name;
    private final String source;
    private final String detailType;
    private final String schemaPath;
    /** Compiled on first use: a function that never validates (e.g. {@code $connect}) never loads the validator. */
    private final Lazy<com.networknt.schema.Schema> schema;

    private final List<String> channelTemplates;
    private final List<SensitiveField> sensitiveFields;
    private final Coalesce coalesce;
    private final List<String> examples;
    private final String invalidExamples;
    private final String description;
    private final Permission permission;
    private final String metaField;
    private final JsonNode schemaNode;

    EventDefinition(
            String name,
            String source,
            String detailType,
            String schemaPath,
            JsonNode schemaNode,
            java.util.function.Supplier<Schema> compileSchema,
            List<String> channelTemplates,
            List<SensitiveField> sensitiveFields,
            Coalesce coalesce,
            List<String> examples,
            String invalidExamples,
            String description,
            Permission permission,
            String metaField) {
        this.name = name;
        this.source = source;
        this.detailType = detailType;
        this.schemaPath = schemaPath;
        this.schemaNode = schemaNode;
        this.schema = new Lazy<>(compileSchema);
        this.channelTemplates = List.copyOf(channelTemplates);
        this.sensitiveFields = List.copyOf(sensitiveFields);
        this.coalesce = coalesce;
        this.examples = List.copyOf(examples);
        this.invalidExamples = invalidExamples;
        this.description = description;
        this.permission = permission;
        this.metaField = metaField;
    }

    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    public String detailType() {
        return detailType;
    }
    /** Classpath-relative path of the JSON Schema (draft-04) under {@code com/pyerp/realtime/events/}. */
    public String schemaPath() {
        return schemaPath;
    }

    public List<String> channelTemplates() {
        return channelTemplates;
    }

    public List<SensitiveField> sensitiveFields() {
        return sensitiveFields;
    }

    public Optional<Coalesce> coalesce() {
        return Optional.ofNullable(coalesce);
    }
    /** Classpath-relative paths of the valid examples. */
    public List<String> examples() {
        return examples;
    }
    /** The valid examples, parsed. */
    public List<JsonNode> exampleDetails() {
        List<JsonNode> out = new ArrayList<>();
        for (String p : examples) out.add(EventCatalog.readTree(EventCatalog.BASE + p));
        return out;
    }
    /** Classpath-relative path of the invalid examples: a JSON array of {@code {why, expect, detail}}. */
    public Optional<String> invalidExamples() {
        return Optional.ofNullable(invalidExamples);
    }
    /** The invalid examples, parsed (empty when the event has none). */
    public List<InvalidExample> invalidExampleCases() {
        if (invalidExamples == null) return List.of();
        List<InvalidExample> out = new ArrayList<>();
        for (JsonNode c : EventCatalog.readTree(EventCatalog.BASE + invalidExamples)) {
            out.add(new InvalidExample(
                    c.path("why").asString(""), c.path("expect").asString(""), c.get("detail")));
        }
        return out;
    }

    public String description() {
        return description;
    }
    /** The permission stated in {@code catalog.json}; {@link EventCatalog#permissionOf} derives it from the channel families. */
    public Permission permission() {
        return permission;
    }
    /** The JSON Schema (draft-04) as a tree, e.g. to register it in the EventBridge Schema Registry. */
    public JsonNode schemaNode() {
        return schemaNode;
    }

    /** The compiled schema, compiled once on first use. */
    Schema schema() {
        return schema.get();
    }

    /** A detail that must fail validation: {@code why} it is wrong, and a text {@code expect}ed in one of the messages. */
    public record InvalidExample(String why, String expect, JsonNode detail) {}

    /**
     * The schema violations of {@code detail}, as readable messages ({@code $.lines.0: required property 'sku' not found});
     * empty when it is valid.
     */
    public List<String> validate(JsonNode detail) {
        if (detail == null || !detail.isObject()) {
            return List.of("$: detail must be a JSON object");
        }
        return Schemas.messages(schema().validate(detail));
    }

    /**
     * The channels a valid {@code detail} is delivered to, in template order, without duplicates.
     * A template whose field is missing or not a valid channel segment yields nothing for that template.
     */
    public List<String> channelsFor(JsonNode detail) {
        Set<String> out = new LinkedHashSet<>();
        for (String template : channelTemplates) {
            List<String> partial = List.of("");
            for (String seg : template.split("\\.")) {
                List<String> values;
                if (Templates.isParam(seg)) {
                    values = values(detail.get(Templates.paramName(seg)), Templates.isArrayParam(seg));
                } else {
                    values = List.of(seg);
                }
                List<String> next = new ArrayList<>();
                for (String p : partial) {
                    for (String v : values) next.add(p.isEmpty() ? v : p + "." + v);
                }
                partial = next;
            }
            out.addAll(partial);
        }
        return List.copyOf(out);
    }

    /** The coalescing key of {@code detail} (the template filled from its fields), when this event coalesces. */
    public Optional<String> coalesceKey(JsonNode detail) {
        if (coalesce == null) return Optional.empty();
        StringBuilder sb = new StringBuilder(name).append('|');
        Matcher m = KEY_PART.matcher(coalesce.keyTemplate());
        while (m.find()) {
            if (m.group(1) != null) {
                JsonNode v = detail.get(m.group(1));
                sb.append(v == null || v.isNull() ? "" : v.asString());
            } else {
                sb.append(m.group(2));
            }
        }
        return Optional.of(sb.toString());
    }

    /**
     * The {@code data} a subscriber with these roles receives: a copy of {@code detail} without the sensitive
     * fields the roles may not see and without the envelope metadata ({@code _meta}). The input is never modified;
     * when nothing is removed, {@code detail} itself is returned.
     *
     * <p>A sensitive field is a path: {@code totalAmount}, {@code customer.email}, or {@code lines[].unitPrice}
     * (the field in every element of the array {@code lines}).
     */
    public JsonNode visibleTo(JsonNode detail, Set<String> roles) {
        if (detail == null || !detail.isObject()) return detail;
        boolean hasMeta = metaField != null && detail.has(metaField);
        List<SensitiveField> hidden = new ArrayList<>();
        for (SensitiveField f : sensitiveFields) {
            if (f.roles().stream().noneMatch(roles::contains)) hidden.add(f);
        }
        if (!hasMeta && hidden.isEmpty()) return detail;
        ObjectNode copy = ((ObjectNode) detail).deepCopy();
        if (hasMeta) copy.remove(metaField);
        for (SensitiveField f : hidden) remove(copy, f.field().split("\\."), 0);
        return copy;
    }

    private static void remove(JsonNode node, String[] path, int i) {
        if (node == null || !node.isObject()) return;
        String seg = path[i];
        boolean each = seg.endsWith("[]");
        String field = each ? seg.substring(0, seg.length() - 2) : seg;
        if (i == path.length - 1 && !each) {
            ((ObjectNode) node).remove(field);
            return;
        }
        JsonNode child = node.get(field);
        if (each) {
            if (child == null || !child.isArray()) return;
            if (i == path.length - 1) {
                ((ObjectNode) node).remove(field);
                return;
            }
            for (JsonNode element : child) remove(element, path, i + 1);
        } else {
            remove(child, path, i + 1);
        }
    }

    /** The set of role combinations that change what {@link #visibleTo} returns, used to format each variant once. */
    public String visibilityKey(Set<String> roles) {
        if (sensitiveFields.isEmpty()) return "";
        StringBuilder sb = new StringBuilder();
        for (SensitiveField f : sensitiveFields) {
            sb.append(f.roles().stream().anyMatch(roles::contains) ? '1' : '0');
        }
        return sb.toString();
    }

    private static List<String> values(JsonNode node, boolean array) {
        if (node == null || node.isNull()) return List.of();
        List<String> raw = new ArrayList<>();
        if (array) {
            if (!node.isArray()) return List.of();
            for (JsonNode n : node) if (n.isValueNode()) raw.add(n.asString());
        } else if (node.isValueNode()) {
            raw.add(node.asString());
        }
        raw.removeIf(v -> !ChannelNames.isValidSegment(v));
        return raw;
    }

    @Override
    public String toString() {
        return name + " (" + source + " / " + detailType + ")";
    }
}
