package com.pyerp.realtime.infra;

import com.pyerp.realtime.core.dispatch.DispatchBuffer;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.service.ConnectionService;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.apigatewayv2.WebSocketStage;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.CreateAlarmOptions;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.sns.ITopic;
import software.constructs.Construct;

/**
 * The gateway's CloudWatch dashboard and the alarms on its failure signals:
 * <ul>
 *   <li>each function's Errors and Throttles (sum over 5 minutes, at least 1; the authorizer's Errors at least
 *       {@link #AUTHORIZER_ERROR_THRESHOLD}, see there);</li>
 *   <li>the API's IntegrationError and ExecutionError (5xx from a function, or API Gateway failing to call it);</li>
 *   <li>each dead-letter queue holding a message;</li>
 *   <li>the dispatch buffer's oldest event older than {@link #BUFFER_AGE_THRESHOLD_SECONDS} (the dispatcher is not keeping
 *       up, or records are being retried);</li>
 *   <li>each rule's permanently failed invocations plus those that could not even reach the DLQ (events lost);</li>
 *   <li>the dispatcher's own counts ({@link #DISPATCH_METRICS}): invalid ERP events, failed PostToConnection calls.</li>
 * </ul>
 * Missing data is not breaching: a quiet gateway is a healthy one. With an alarm topic, alarms notify on ALARM and OK.
 */
public final class GatewayMonitoring extends Construct {
    private static final Duration ALARM_PERIOD = Duration.minutes(5);
    /**
     * A REQUEST authorizer can only refuse with 401 by failing with "Unauthorized", which Lambda counts as an error, so
     * the authorizer's Errors include every refused token (expired, missing). Its alarm fires on a burst (a broken
     * JWKS endpoint, a flood of bad tokens), not on one client whose token expired.
     */
    public static final int AUTHORIZER_ERROR_THRESHOLD = 20;
    /**
     * The counts the dispatcher emits per invocation as CloudWatch Embedded Metric Format lines, in
     * {@link JsonLog#METRICS_NAMESPACE} without dimensions: {@code DispatchReport.METRIC_NAMES}, one count each.
     */
    public static final List<String> DISPATCH_METRICS = com.pyerp.realtime.core.dispatch.DispatchReport.METRIC_NAMES;
    /** PostToConnection failures other than 410 Gone in 5 minutes; single ones are retried with their event. */
    public static final int MESSAGES_FAILED_THRESHOLD = 10;
    /**
     * Age (Maximum of ApproximateAgeOfOldestMessage) of the dispatch buffer's oldest event that alarms. A healthy buffer
     * holds an event for about the batching window ({@code DispatchBuffer.BATCHING_WINDOW}); a minute means the dispatcher
     * is throttled or slower than the events arrive, or that a failed record waits for its next receive (the visibility
     * timeout, several minutes).
     */
    public static final int BUFFER_AGE_THRESHOLD_SECONDS = 60;

    private final Dashboard dashboard;
    private final Map<String, Alarm> alarms = new LinkedHashMap<>();

    public GatewayMonitoring(
            Construct scope,
            String id,
            WebSocketStage stage,
            Map<GatewayFunction, HandlerFunction> functions,
            EventRouting routing,
            FanOutScatter scatter,
            ITopic alarmTopic) {
        super(scope, id);

        // --- alarms
        for (HandlerFunction f : functions.values()) {
            boolean authorizer = f.kind() == GatewayFunction.AUTHORIZER;
            alarm(
                    f.kind().id() + "Errors",
                    f.function().metricErrors(sum()),
                    "The " + f.kind().id() + " function threw (" + f.kind().description() + ")"
                            + (authorizer ? "; refused tokens count too (401 is a thrown 'Unauthorized')" : ""),
                    authorizer ? AUTHORIZER_ERROR_THRESHOLD : 1);
            alarm(
                    f.kind().id() + "Throttles",
                    f.function().metricThrottles(sum()),
                    "The " + f.kind().id() + " function was throttled: raise the account's concurrency or reserve some",
                    1);
        }
        alarm(
                "ApiIntegrationErrors",
                stage.metric("IntegrationError", sum()),
                "WebSocket routes answered with an integration error (a function failed or returned 4xx/5xx)",
                5);
        alarm(
                "ApiExecutionErrors",
                stage.metric("ExecutionError", sum()),
                "API Gateway could not call a route's integration",
                1);
        alarm(
                "DeliveryDlqNotEmpty",
                routing.deliveryDlq().metricApproximateNumberOfMessagesVisible(max()),
                "EventBridge could not hand ERP events to the dispatch buffer; they are in the delivery DLQ",
                1);
        alarm(
                "DispatchDlqNotEmpty",
                routing.dispatchDlq().metricApproximateNumberOfMessagesVisible(max()),
                "The dispatcher failed on ERP events " + DispatchBuffer.MAX_RECEIVE_COUNT
                        + " times; they are in the dispatch buffer's dead-letter queue",
                1);
        alarm(
                "FanOutDlqNotEmpty",
                scatter.dlq().metricApproximateNumberOfMessagesVisible(max()),
                "Pages of a large channel's broadcast failed " + DispatchBuffer.MAX_RECEIVE_COUNT
                        + " times (still throttled at the deadline, or @connections down): their subscribers missed"
                        + " the event; the page tasks are in the fan-out dead-letter queue",
                1);
        alarm(
                "DispatchBufferAge",
                routing.dispatchBuffer().metricApproximateAgeOfOldestMessage(max()),
                "ERP events wait more than " + BUFFER_AGE_THRESHOLD_SECONDS
                        + " s in the dispatch buffer: the dispatcher is"
                        + " throttled or not keeping up, or failed records are waiting to be received again",
                BUFFER_AGE_THRESHOLD_SECONDS,
                ComparisonOperator.GREATER_THAN_THRESHOLD);
        alarm(
                "InvalidErpEvents",
                dispatchMetric("EventsInvalid"),
                "An ERP service published events that fail the catalog's schema; the dispatcher dropped them (see its log)",
                1);
        alarm(
                "DispatchMessagesFailed",
                dispatchMetric("MessagesFailed"),
                "PostToConnection keeps failing (not 410 Gone): throttling or an @connections outage",
                MESSAGES_FAILED_THRESHOLD);
        alarm(
                "RegistryErrors",
                dispatchMetric(ConnectionService.REGISTRY_ERRORS_METRIC),
                "Connects or commands were refused because DynamoDB (the connection registry) could not be reached",
                1);
        for (Map.Entry<String, Rule> e : routing.rules().entrySet()) {
            Map<String, IMetric> m = new LinkedHashMap<>();
            m.put("failed", eventsMetric("FailedInvocations", routing, e.getValue()));
            m.put("lost", eventsMetric("InvocationsFailedToBeSentToDlq", routing, e.getValue()));
            MathExpression failures = MathExpression.Builder.create()
                    .expression("failed + lost")
                    .usingMetrics(m)
                    .period(ALARM_PERIOD)
                    .label(e.getKey() + " failed invocations")
                    .build();
            alarm(
                    "Rule-" + e.getKey() + "-Failures",
                    failures,
                    "Rule " + e.getKey() + " failed to send events to the dispatch buffer after its retries",
                    1);
        }
        if (alarmTopic != null) {
            SnsAction action = new SnsAction(alarmTopic);
            alarms.values().forEach(a -> {
                a.addAlarmAction(action);
                a.addOkAction(action);
            });
        }

        // --- dashboard
        List<IMetric> errors = new ArrayList<>();
        List<IMetric> throttles = new ArrayList<>();
        List<IMetric> durations = new ArrayList<>();
        for (HandlerFunction f : functions.values()) {
            errors.add(f.function().metricErrors(sum(f.kind().id())));
            throttles.add(f.function().metricThrottles(sum(f.kind().id())));
            durations.add(f.function()
                    .metricDuration(MetricOptions.builder()
                            .statistic("p99")
                            .label(f.kind().id() + " p99")
                            .build()));
        }
        HandlerFunction dispatcher = functions.get(GatewayFunction.DISPATCHER);
        HandlerFunction disconnect = functions.get(GatewayFunction.DISCONNECT);
        List<IMetric> ruleInvocations = new ArrayList<>();
        for (Map.Entry<String, Rule> e : routing.rules().entrySet()) {
            ruleInvocations.add(eventsMetric("Invocations", routing, e.getValue())
                    .with(MetricOptions.builder().label(e.getKey()).build()));
        }
        dashboard = Dashboard.Builder.create(this, "Dashboard")
                .defaultInterval(Duration.hours(3))
                .widgets(List.of(
                        List.<IWidget>of(
                                graph(
                                        "Connections",
                                        6,
                                        List.of(
                                                stage.metric("ConnectCount", sum("connects")),
                                                disconnect.function().metricInvocations(sum("disconnects")))),
                                graph("Messages", 6, List.of(stage.metric("MessageCount", sum("messages (in + out)")))),
                                graph(
                                        "API errors",
                                        6,
                                        List.of(
                                                stage.metric("ClientError", sum("client (4xx before integration)")),
                                                stage.metric("IntegrationError", sum("integration")),
                                                stage.metric("ExecutionError", sum("execution")))),
                                graph(
                                        "Integration latency",
                                        6,
                                        List.of(stage.metric(
                                                "IntegrationLatency",
                                                MetricOptions.builder()
                                                        .statistic("p99")
                                                        .label("p99")
                                                        .build())))),
                        List.<IWidget>of(
                                graph(
                                        "Dispatcher",
                                        8,
                                        List.of(
                                                dispatcher.function().metricInvocations(sum("invocations")),
                                                dispatcher.function().metricErrors(sum("errors")))),
                                graph("Rule invocations", 8, ruleInvocations),
                                graph(
                                        "Dead-letter queues",
                                        8,
                                        List.of(
                                                routing.deliveryDlq()
                                                        .metricApproximateNumberOfMessagesVisible(max("delivery DLQ")),
                                                routing.dispatchDlq()
                                                        .metricApproximateNumberOfMessagesVisible(
                                                                max("dispatch DLQ"))))),
                        List.<IWidget>of(
                                graph(
                                        "Dispatch buffer depth",
                                        12,
                                        List.of(
                                                routing.dispatchBuffer()
                                                        .metricApproximateNumberOfMessagesVisible(max("waiting")),
                                                routing.dispatchBuffer()
                                                        .metricApproximateNumberOfMessagesNotVisible(
                                                                max("in flight")))),
                                graph(
                                        "Dispatch buffer age of oldest event (s)",
                                        12,
                                        List.of(routing.dispatchBuffer()
                                                .metricApproximateAgeOfOldestMessage(max("oldest"))))),
                        List.<IWidget>of(
                                graph(
                                        "ERP events (dispatcher)",
                                        12,
                                        List.of(
                                                dispatchMetric("EventsReceived"),
                                                dispatchMetric("EventsInvalid"),
                                                dispatchMetric("EventsDuplicate"),
                                                dispatchMetric("EventsCoalesced"))),
                                graph(
                                        "Messages delivered (dispatcher)",
                                        12,
                                        List.of(
                                                dispatchMetric("MessagesDelivered"),
                                                dispatchMetric("MessagesGone"),
                                                dispatchMetric("MessagesFailed")))),
                        List.<IWidget>of(
                                graph("Lambda errors", 8, errors),
                                graph("Lambda throttles", 8, throttles),
                                graph("Lambda duration p99", 8, durations))))
                .build();
    }

    private void alarm(String id, IMetric metric, String description, int threshold) {
        alarm(id, metric, description, threshold, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
    }

    private void alarm(String id, IMetric metric, String description, int threshold, ComparisonOperator comparison) {
        Alarm a = metric instanceof Metric mm
                ? mm.createAlarm(this, id, options(description, threshold, comparison))
                : ((MathExpression) metric).createAlarm(this, id, options(description, threshold, comparison));
        alarms.put(id, a);
    }

    private static CreateAlarmOptions options(String description, int threshold, ComparisonOperator comparison) {
        return CreateAlarmOptions.builder()
                .alarmDescription(description)
                .threshold(threshold)
                .comparisonOperator(comparison)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
    }

    private static Metric dispatchMetric(String name) {
        // no label: a labelled metric renders its alarm as a metric-math alarm
        if (!DISPATCH_METRICS.contains(name) && !name.equals(ConnectionService.REGISTRY_ERRORS_METRIC)) {
            throw new IllegalArgumentException("not a metric the functions emit: " + name);
        }
        return Metric.Builder.create()
                .namespace(JsonLog.METRICS_NAMESPACE)
                .metricName(name)
                .statistic("Sum")
                .period(ALARM_PERIOD)
                .build();
    }

    private static Metric eventsMetric(String name, EventRouting routing, Rule rule) {
        return Metric.Builder.create()
                .namespace("AWS/Events")
                .metricName(name)
                // rules on a custom bus publish with both dimensions
                .dimensionsMap(Map.of("EventBusName", routing.bus().getEventBusName(), "RuleName", rule.getRuleName()))
                .statistic("Sum")
                .period(ALARM_PERIOD)
                .build();
    }

    /** A 6-high graph; {@code width} is in dashboard grid units (24 per row). */
    private static GraphWidget graph(String title, int width, List<? extends IMetric> left) {
        return GraphWidget.Builder.create()
                .title(title)
                .left(left)
                .width(width)
                .height(6)
                .build();
    }

    private static MetricOptions sum() {
        return sum(null);
    }

    private static MetricOptions sum(String label) {
        return MetricOptions.builder()
                .statistic("Sum")
                .period(ALARM_PERIOD)
                .label(label)
                .build();
    }

    private static MetricOptions max() {
        return max(null);
    }

    private static MetricOptions max(String label) {
        return MetricOptions.builder()
                .statistic("Maximum")
                .period(ALARM_PERIOD)
                .label(label)
                .build();
    }

    public Dashboard dashboard() {
        return dashboard;
    }
    /** Alarm id to alarm. */
    public Map<String, Alarm> alarms() {
        return Collections.unmodifiableMap(alarms);
    }
}
