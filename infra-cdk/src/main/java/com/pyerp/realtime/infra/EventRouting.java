package com.pyerp.realtime.infra;

import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.EventDefinition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.events.CfnRule;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.eventschemas.CfnRegistry;
import software.amazon.awscdk.services.eventschemas.CfnSchema;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * ERP events in: the custom bus, the catalog's schemas in an EventBridge schema registry, and one rule per catalog
 * pattern ({@link EventCatalog#rulePatterns()}, used verbatim) targeting the dispatcher.
 *
 * <p>Failures have two layers, because EventBridge invokes Lambda <em>asynchronously</em>:
 * <ol>
 *   <li>EventBridge retries only the <em>hand-over</em> to Lambda (throttled Invoke, missing permission, deleted
 *       alias) under the target's retry policy, then sends the event to {@link #deliveryDlq()}.</li>
 *   <li>Once Lambda has accepted the event, the dispatcher throwing is retried by Lambda's async invocation
 *       (the alias's event-invoke config, see {@link RealtimeGateway}), then recorded in {@link #failedDispatchQueue()}
 *       by the on-failure destination, with the error and the original event.</li>
 * </ol>
 * A rule-target DLQ alone would never see a dispatcher exception, and an on-failure destination alone would never see
 * a hand-over failure, so both exist, each with a depth alarm.
 */
public final class EventRouting extends Construct {
    /** AWS::EventSchemas::Schema type of the catalog's draft-04 schemas. */
    public static final String SCHEMA_TYPE = "JSONSchemaDraft4";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final EventCatalog catalog;
    private final EventBus bus;
    private final Queue deliveryDlq;
    private final Queue failedDispatchQueue;
    private final CfnRegistry registry;
    private final List<CfnSchema> schemas = new ArrayList<>();
    private final Map<String, Rule> rules = new LinkedHashMap<>();

    public EventRouting(Construct scope, String id, EventCatalog catalog, String busName, String registryName) {
        super(scope, id);
        this.catalog = catalog;
        bus = EventBus.Builder.create(this, "Bus")
                .eventBusName(busName)
                .description("pyERP domain events (catalog: events-schema/catalog)")
                .build();
        deliveryDlq = deadLetterQueue("DeliveryDlq");
        failedDispatchQueue = deadLetterQueue("FailedDispatchQueue");

        registry = CfnRegistry.Builder.create(this, "SchemaRegistry")
                .registryName(registryName)
                .description("JSON Schemas (draft-04) of the pyERP events on bus " + busName)
                .build();
        for (EventDefinition def : catalog.events()) {
            CfnSchema schema = CfnSchema.Builder.create(this, "Schema-" + def.name())
                    .registryName(registryName)
                    .schemaName(schemaName(def))
                    .type(SCHEMA_TYPE)
                    .description(def.description().isEmpty() ? def.toString() : def.description())
                    .content(EventCatalog.readTree(EventCatalog.BASE + def.schemaPath()).toString())
                    .build();
            schema.addResourceDependency(registry);
            schemas.add(schema);
        }
    }

    /** The registry name of an event's schema: EventBridge's own {@code source@DetailType} convention. */
    public static String schemaName(EventDefinition def) {
        return def.source() + "@" + def.detailType();
    }

    /**
     * Creates one rule per catalog pattern, each invoking {@code dispatcher} with the given retry policy and the
     * delivery DLQ. The rule's EventPattern is the catalog's JSON, parsed and written unchanged.
     */
    public void routeTo(IFunction dispatcher, Duration maxEventAge, int retryAttempts) {
        if (!rules.isEmpty()) throw new IllegalStateException("routeTo was already called");
        LambdaFunction target = new LambdaFunction(dispatcher, LambdaFunctionProps.builder()
                .deadLetterQueue(deliveryDlq)
                .maxEventAge(maxEventAge)
                .retryAttempts(retryAttempts)
                .build());
        for (Map.Entry<String, String> e : catalog.rulePatterns().entrySet()) {
            Map<String, Object> pattern = parsePattern(e.getKey(), e.getValue());
            Rule rule = Rule.Builder.create(this, "Rule-" + e.getKey())
                    .eventBus(bus)
                    .ruleName(e.getKey())
                    .description("catalog pattern " + e.getKey() + " -> dispatcher")
                    // the L2 validates that a pattern exists; setEventPattern below replaces it whole with the catalog's JSON
                    .eventPattern(EventPattern.builder().source(List.of("replaced-by-the-catalog-pattern")).build())
                    .targets(List.of(target))
                    .build();
            CfnRule cfn = (CfnRule) rule.getNode().getDefaultChild();
            cfn.setEventPattern(pattern);
            rules.put(e.getKey(), rule);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parsePattern(String name, String json) {
        try {
            Map<String, Object> m = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
            if (m.isEmpty()) throw new IllegalArgumentException("catalog rule pattern " + name + " is empty");
            return m;
        } catch (tools.jackson.core.JacksonException ex) {
            throw new IllegalArgumentException("catalog rule pattern " + name + " is not a JSON object: " + json, ex);
        }
    }

    private Queue deadLetterQueue(String id) {
        return Queue.Builder.create(this, id)
                .retentionPeriod(Duration.days(14))
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
    }

    public EventBus bus() { return bus; }
    /** Events EventBridge could not hand to the dispatcher (original event; error in the message attributes). */
    public Queue deliveryDlq() { return deliveryDlq; }
    /** Invocation records of events the dispatcher failed on after Lambda's async retries. */
    public Queue failedDispatchQueue() { return failedDispatchQueue; }
    public CfnRegistry schemaRegistry() { return registry; }
    public List<CfnSchema> schemas() { return Collections.unmodifiableList(schemas); }
    /** Rule name (the catalog's) to rule, in catalog order; empty before {@link #routeTo}. */
    public Map<String, Rule> rules() { return Collections.unmodifiableMap(rules); }
}
