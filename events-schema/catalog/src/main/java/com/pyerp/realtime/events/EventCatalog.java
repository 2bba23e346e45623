package com.pyerp.realtime.events;

import com.networknt.schema.Schema;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ERP event catalog ({@code catalog.json} and its schemas), loaded once and immutable.
 * It answers, for the dispatcher, the CDK stack and the local gateway alike: which events exist,
 * whether an event is valid, which channels it reaches, who may subscribe to a channel,
 * and which EventBridge rule patterns select the catalog's events.
 */
public final class EventCatalog {
    /** Classpath folder holding {@code catalog.json}, {@code schemas/}, {@code examples/} and {@code protocol/}. */
    public static final String BASE = "com/pyerp/realtime/events/";
    /**
     * The {@code detail} field for envelope metadata set by the publisher ({@code correlationId}, {@code producer}).
     * Every schema allows it (as {@code schemas/_meta.fragment.json} says); it is never part of delivered {@code data}.
     */
    public static final String META_FIELD = "_meta";

    private static volatile EventCatalog defaultCatalog;

    private final String bus;
    private final String tenantField;
    private final String metaField;
    private final List<ChannelFamily> families;
    private final List<EventDefinition> events;
    private final Map<String, EventDefinition> bySourceAndType;

    private EventCatalog(
            String bus,
            String tenantField,
            String metaField,
            List<ChannelFamily> families,
            List<EventDefinition> events) {
        this.bus = bus;
        this.tenantField = tenantField;
        this.metaField = metaField;
        this.families = List.copyOf(families);
        this.events = List.copyOf(events);
        Map<String, EventDefinition> idx = new LinkedHashMap<>();
        for (EventDefinition e : events) {
            if (idx.put(key(e.source(), e.detailType()), e) != null) {
                throw new CatalogException(
                        "two events share source " + e.source() + " and detail-type " + e.detailType());
            }
        }
        this.bySourceAndType = Collections.unmodifiableMap(idx);
    }

    /** The catalog shipped in this jar (cached; each event's schema is compiled on its first validation, see {@link #compileSchemas}). */
    public static EventCatalog load() {
        EventCatalog c = defaultCatalog;
        if (c == null) {
            synchronized (EventCatalog.class) {
                if (defaultCatalog == null) defaultCatalog = parse(readTree(BASE + "catalog.json"));
                c = defaultCatalog;
            }
        }
        return c;
    }

    /** Compiles every event's schema now (SnapStart priming, and the catalog checks); otherwise each compiles on first use. */
    public EventCatalog compileSchemas() {
        for (EventDefinition e : events()) e.schema();
        for (ChannelFamily f : channelFamilies())
            if (f.publish() != null) f.publish().compile();
        return this;
    }

    /** The default EventBridge bus name. */
    public String bus() {
        return bus;
    }
    /** The {@code detail} field every event carries its tenant in. */
    public String tenantField() {
        return tenantField;
    }
    /** {@link #META_FIELD}. */
    public String metaField() {
        return metaField;
    }

    public List<ChannelFamily> channelFamilies() {
        return families;
    }

    public List<EventDefinition> events() {
        return events;
    }

    public Optional<EventDefinition> find(String source, String detailType) {
        return Optional.ofNullable(bySourceAndType.get(key(source, detailType)));
    }

    public Optional<EventDefinition> byName(String name) {
        return events.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The family a channel belongs to, with the template's parameter values. */
    public Optional<ChannelMatch> matchChannel(String channel) {
        if (!ChannelNames.isValid(channel)) return Optional.empty();
        for (ChannelFamily f : families) {
            Optional<Map<String, String>> m = f.match(channel);
            if (m.isPresent()) return Optional.of(new ChannelMatch(f, m.get()));
        }
        return Optional.empty();
    }

    /** A channel with its family and parameter values. */
    public record ChannelMatch(ChannelFamily family, Map<String, String> params) {}

    /**
     * The EventBridge rule patterns that select the catalog's events, one rule per {@code source},
     * keyed by a rule name ({@code erp-} + the source's last segment). Used verbatim by the CDK stack and the local gateway.
     */
    public Map<String, String> rulePatterns() {
        Map<String, List<String>> typesBySource = new LinkedHashMap<>();
        for (EventDefinition e : events) {
            typesBySource.computeIfAbsent(e.source(), s -> new ArrayList<>()).add(e.detailType());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> en : typesBySource.entrySet()) {
            ObjectNode p = Json.mapper().createObjectNode();
            p.putArray("source").add(en.getKey());
            ArrayNode types = p.putArray("detail-type");
            en.getValue().forEach(types::add);
            out.put(ruleName(en.getKey()), Json.mapper().writeValueAsString(p));
        }
        return Collections.unmodifiableMap(out);
    }

    /** The name of the rule that selects the events of {@code source} ({@code erp-} + its last segment). */
    public static String ruleName(String source) {
        return "erp-" + source.substring(source.lastIndexOf('.') + 1);
    }

    /** The family of each of the event's channel templates, in template order. */
    public List<ChannelFamily> familiesOf(EventDefinition event) {
        List<ChannelFamily> out = new ArrayList<>();
        for (String t : event.channelTemplates()) out.add(familyOfTemplate(families, t));
        return out;
    }

    /** The permission a subscriber needs to receive {@code event}, derived from its channels' families. */
    public Permission permissionOf(EventDefinition event) {
        return Permission.of(familiesOf(event));
    }

    /**
     * Checks the catalog is internally consistent and returns every problem found (empty when it is sound):
     * families do not overlap; every schema is draft-04, titled with its detail-type, requires the tenant field and
     * allows the metadata field exactly as {@code schemas/_meta.fragment.json} says; every channel parameter,
     * sensitive field and coalescing key names a field of the schema; every stated permission equals the derived one;
     * every valid example validates and resolves to channels of the right families; every invalid example fails
     * for the stated reason. Loading only checks what would break at run time; this checks everything.
     */
    public List<String> verify() {
        return CatalogVerifier.verify(this);
    }

    /** A catalog resource (schema, example, protocol file) as Json.mapper(). */
    public static JsonNode readTree(String classpathPath) {
        try (InputStream in = EventCatalog.class.getClassLoader().getResourceAsStream(classpathPath)) {
            if (in == null) throw new CatalogException("catalog resource not found on the classpath: " + classpathPath);
            return Json.mapper().readTree(in);
        } catch (IOException e) {
            throw new CatalogException("cannot read catalog resource " + classpathPath, e);
        }
    }

    private static ChannelFamily.History history(JsonNode family) {
        JsonNode h = family.get("history");
        if (h == null || h.isNull()) return null;
        try {
            return new ChannelFamily.History(
                    h.path("size").asInt(0), h.path("ttlSeconds").asLong(0));
        } catch (CatalogException e) {
            throw new CatalogException(
                    "channel family " + family.path("pattern").asString("?") + ": " + e.getMessage());
        }
    }

    private static ChannelFamily.Publish publish(JsonNode family) {
        JsonNode p = family.get("publish");
        if (p == null || p.isNull()) return null;
        String where = "channel family " + family.path("pattern").asString("?");
        try {
            String schemaPath = p.hasNonNull("schema") ? p.get("schema").asString() : null;
            JsonNode schemaNode = schemaPath == null ? null : readTree(BASE + schemaPath);
            Lazy<com.networknt.schema.Schema> schema =
                    schemaNode == null ? null : new Lazy<>(() -> Schemas.compile(schemaPath, schemaNode));
            return new ChannelFamily.Publish(
                    strings(p.get("roles")),
                    p.path("maxBytes").asInt(0),
                    p.path("ratePerSecond").asInt(0),
                    schemaPath,
                    schema);
        } catch (CatalogException e) {
            throw new CatalogException(where + ": " + e.getMessage());
        }
    }

    static EventCatalog parse(JsonNode root) {
        String metaField = META_FIELD;
        List<ChannelFamily> families = new ArrayList<>();
        for (JsonNode f : root.path("channelFamilies")) {
            JsonNode scope = f.get("scope");
            families.add(new ChannelFamily(
                    text(f, "pattern"),
                    strings(f.get("roles")),
                    scope == null || !scope.hasNonNull("param") ? null : text(scope, "param"),
                    scope == null ? null : text(scope, "claim"),
                    f.hasNonNull("owner") ? f.get("owner").asString() : null,
                    f.path("description").asString(""),
                    history(f),
                    f.hasNonNull("presence") ? new ChannelFamily.Presence() : null,
                    publish(f)));
        }
        List<EventDefinition> events = new ArrayList<>();
        for (JsonNode e : root.path("events")) {
            String name = text(e, "name");
            String schemaPath = text(e, "schema");
            JsonNode schemaNode = readTree(BASE + schemaPath);
            java.util.function.Supplier<Schema> schema = () -> Schemas.compile(schemaPath, schemaNode);
            List<EventDefinition.SensitiveField> sensitive = new ArrayList<>();
            for (JsonNode s : e.path("sensitiveFields")) {
                sensitive.add(new EventDefinition.SensitiveField(text(s, "field"), strings(s.get("roles"))));
            }
            JsonNode c = e.get("coalesce");
            EventDefinition.Coalesce coalesce = c == null
                    ? null
                    : new EventDefinition.Coalesce(
                            text(c, "key"),
                            c.path("windowMillis").asLong(0),
                            c.hasNonNull("orderBy") ? text(c, "orderBy") : null);
            if (coalesce != null && coalesce.windowMillis() <= 0) {
                throw new CatalogException(
                        "event " + name + ": coalesce.windowMillis must be a positive number of milliseconds");
            }
            if (coalesce != null && coalesce.orderBy() != null) {
                boolean required = false;
                for (JsonNode r : schemaNode.path("required"))
                    required |= r.asString().equals(coalesce.orderBy());
                boolean dateTime = "date-time"
                        .equals(schemaNode
                                .path("properties")
                                .path(coalesce.orderBy())
                                .path("format")
                                .asString(""));
                if (!required || !dateTime) {
                    throw new CatalogException("event " + name + ": coalesce.orderBy " + coalesce.orderBy()
                            + " must be a required date-time field of the schema");
                }
            }
            List<String> templates = strings(e.get("channels"));
            if (templates.isEmpty()) throw new CatalogException("event " + name + ": no channels");
            for (String t : templates) {
                try {
                    familyOfTemplate(families, t);
                } catch (CatalogException ex) {
                    throw new CatalogException("event " + name + ": " + ex.getMessage());
                }
            }
            JsonNode perm = e.get("permission");
            if (perm == null || !perm.isObject()) {
                throw new CatalogException("event " + name + ": missing permission (anyRole, owner or authenticated)");
            }
            Permission permission = new Permission(
                    new TreeSet<>(strings(perm.get("anyRole"))),
                    perm.path("owner").asBoolean(false),
                    perm.path("authenticated").asBoolean(false));
            JsonNode invalid = e.get("invalidExamples");
            events.add(new EventDefinition(
                    name,
                    text(e, "source"),
                    text(e, "detailType"),
                    schemaPath,
                    schemaNode,
                    schema,
                    templates,
                    sensitive,
                    coalesce,
                    strings(e.get("examples")),
                    invalid == null || invalid.isNull() ? null : invalid.asString(),
                    e.path("description").asString(""),
                    permission,
                    metaField));
        }
        return new EventCatalog(text(root, "bus"), text(root, "tenantField"), metaField, families, events);
    }

    private static ChannelFamily familyOfTemplate(List<ChannelFamily> families, String template) {
        String shape = Templates.shape(template);
        for (ChannelFamily f : families) {
            if (Templates.shape(f.pattern()).equals(shape)) return f;
        }
        throw new CatalogException("channel template " + template + " matches no channel family");
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isString() || v.asString().isBlank()) {
            throw new CatalogException("catalog: missing text field '" + field + "' in " + n);
        }
        return v.asString();
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null) for (JsonNode v : n) out.add(v.asString());
        return out;
    }

    private static String key(String source, String detailType) {
        return source + "\u0000" + detailType;
    }
}
