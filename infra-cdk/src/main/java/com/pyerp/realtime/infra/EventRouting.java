package com.pyerp.realtime.infra;

import com.pyerp.realtime.core.dispatch.DispatchBuffer;
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
import software.amazon.awscdk.services.events.targets.SqsQueue;
import software.amazon.awscdk.services.events.targets.SqsQueueProps;
import software.amazon.awscdk.services.eventschemas.CfnRegistry;
import software.amazon.awscdk.services.eventschemas.CfnSchema;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSourceProps;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * ERP events in: the custom bus, the catalog's schemas in an EventBridge schema registry, one rule per catalog
 * pattern ({@link EventCatalog#rulePatterns()}, used verbatim) sending to the {@linkplain #dispatchBuffer() dispatch
 * buffer}, an SQS queue the dispatcher consumes in batches of up to {@link DispatchBuffer#BATCH_SIZE} with no
 * batching window ({@link DispatchBuffer}: the event source invokes as soon as messages arrive; AWS requires a window of
 * at least 1 s for batches over 10). Bursts of one coalescing key are throttled by the dispatcher (leading and trailing
 * edge), not by waiting for a window. The latency budget and the cost per million events are in infra-cdk/README.md.
 *
 * <p>Failures have two layers, each with its own dead-letter queue and depth alarm:
 * <ol>
 *   <li>EventBridge retries the <em>hand-over</em> to the buffer (SendMessage refused or throttled) under the target's
 *       retry policy, then sends the event to {@link #deliveryDlq()} (error in the message attributes).</li>
 *   <li>Once the event is in the buffer, the dispatcher dead-letters an event that can never succeed (invalid,
 *       unknown type, unreadable) itself, at once, into {@link #dispatchDlq()} (its role may SendMessage there, with
 *       the reason in the message attributes); it retries a transient failure within the invocation and then sets the
 *       record's visibility to {@link DispatchBuffer#RETRY_VISIBILITY} before reporting it in
 *       {@code batchItemFailures}, so it comes back in seconds. A record of a batch whose invocation failed as a whole
 *       becomes visible again after the visibility timeout; after {@link DispatchBuffer#MAX_RECEIVE_COUNT} receives SQS
 *       moves it to {@link #dispatchDlq()} (the redrive policy), with its original body, the EventBridge event.</li>
 * </ol>
 */
public final class EventRouting extends Construct {
    /** AWS::EventSchemas::Schema type of the catalog's draft-04 schemas. */
    public static final String SCHEMA_TYPE = "JSONSchemaDraft4";
    /** How long the buffer keeps an event nobody received: far beyond any useful live update, short of the DLQs' 14 days. */
    public static final Duration BUFFER_RETENTION = Duration.days(4);
    /**
     * Dead-letter queues keep messages 14 days (the SQS maximum). For a standard queue a message moved to its DLQ
     * keeps its original enqueue time, so the DLQ's retention must exceed the buffer's, or redriven events would expire.
     */
    public static final Duration DLQ_RETENTION = Duration.days(14);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final EventCatalog catalog;
    private final EventBus bus;
    private final Queue deliveryDlq;
    private final Queue dispatchDlq;
    private final Queue dispatchBuffer;
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
        dispatchDlq = deadLetterQueue("DispatchDlq");
        dispatchBuffer = Queue.Builder.create(this, "DispatchBuffer")
                .retentionPeriod(BUFFER_RETENTION)
                .visibilityTimeout(visibilityTimeout(GatewayFunction.DISPATCHER.timeout()))
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .deadLetterQueue(DeadLetterQueue.builder()
                        .queue(dispatchDlq)
                        .maxReceiveCount(DispatchBuffer.MAX_RECEIVE_COUNT)
                        .build())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();

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
                    .content(EventCatalog.readTree(EventCatalog.BASE + def.schemaPath())
                            .toString())
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
     * The buffer's visibility timeout for a consumer with the given timeout: six times the timeout (AWS's guidance for
     * SQS event sources, so a throttled or retried batch is not received twice while in flight) plus the batching
     * window, during which the event source already holds the received messages.
     */
    public static Duration visibilityTimeout(Duration consumerTimeout) {
        long windowSeconds = (DispatchBuffer.BATCHING_WINDOW.toMillis() + 999) / 1000; // rounded up
        return Duration.seconds(6 * consumerTimeout.toSeconds().longValue() + windowSeconds);
    }

    /**
     * Creates one rule per catalog pattern, each sending the whole EventBridge event (the message body) to the dispatch
     * buffer with the given retry policy and the delivery DLQ; the rule's EventPattern is the catalog's JSON, parsed and
     * written unchanged. Then subscribes {@code dispatcher} to the buffer: batches of up to
     * {@link DispatchBuffer#BATCH_SIZE} without a batching window, partial batch responses ({@code batchItemFailures}),
     * and lets it send to the dispatch DLQ (dead letters at once).
     */
    public void routeTo(IFunction dispatcher, Duration maxEventAge, int retryAttempts) {
        if (!rules.isEmpty()) throw new IllegalStateException("routeTo was already called");
        // one statement per rule in the buffer's policy: events.amazonaws.com may send only on behalf of that rule
        // (aws:SourceArn)
        SqsQueue target = new SqsQueue(
                dispatchBuffer,
                SqsQueueProps.builder()
                        .deadLetterQueue(deliveryDlq)
                        .maxEventAge(maxEventAge)
                        .retryAttempts(retryAttempts)
                        .build());
        for (Map.Entry<String, String> e : catalog.rulePatterns().entrySet()) {
            Map<String, Object> pattern = parsePattern(e.getKey(), e.getValue());
            Rule rule = Rule.Builder.create(this, "Rule-" + e.getKey())
                    .eventBus(bus)
                    .ruleName(e.getKey())
                    .description("catalog pattern " + e.getKey() + " -> dispatch buffer (SQS) -> dispatcher")
                    // the L2 validates that a pattern exists; setEventPattern below replaces it whole with the
                    // catalog's JSON
                    .eventPattern(EventPattern.builder()
                            .source(List.of("replaced-by-the-catalog-pattern"))
                            .build())
                    .targets(List.of(target))
                    .build();
            CfnRule cfn = (CfnRule) rule.getNode().getDefaultChild();
            cfn.setEventPattern(pattern);
            rules.put(e.getKey(), rule);
        }
        // grants the dispatcher's role the consume actions on the buffer (and nothing on any other queue)
        dispatcher.addEventSource(new SqsEventSource(
                dispatchBuffer,
                SqsEventSourceProps.builder()
                        .batchSize(DispatchBuffer.BATCH_SIZE)
                        // in milliseconds: a window that is not whole seconds fails synth (Lambda takes seconds)
                        // instead of being truncated
                        .maxBatchingWindow(Duration.millis(DispatchBuffer.BATCHING_WINDOW.toMillis()))
                        .reportBatchItemFailures(true)
                        .maxConcurrency(DispatchBuffer.MAX_CONCURRENCY)
                        .build()));
        // invalid events are dead-lettered by the dispatcher at once (SendMessage on this queue only)
        dispatchDlq.grantSendMessages(dispatcher);
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
                .retentionPeriod(DLQ_RETENTION)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
    }

    public EventBus bus() {
        return bus;
    }
    /** Events EventBridge could not hand to the dispatch buffer (original event; error in the message attributes). */
    public Queue deliveryDlq() {
        return deliveryDlq;
    }
    /** The queue between the rules and the dispatcher: bodies are EventBridge events; its redrive policy ends in {@link #dispatchDlq()}. */
    public Queue dispatchBuffer() {
        return dispatchBuffer;
    }
    /** The dispatch buffer's dead-letter queue: events the dispatcher failed on {@link DispatchBuffer#MAX_RECEIVE_COUNT} times. */
    public Queue dispatchDlq() {
        return dispatchDlq;
    }

    public CfnRegistry schemaRegistry() {
        return registry;
    }

    public List<CfnSchema> schemas() {
        return Collections.unmodifiableList(schemas);
    }
    /** Rule name (the catalog's) to rule, in catalog order; empty before {@link #routeTo}. */
    public Map<String, Rule> rules() {
        return Collections.unmodifiableMap(rules);
    }
}
