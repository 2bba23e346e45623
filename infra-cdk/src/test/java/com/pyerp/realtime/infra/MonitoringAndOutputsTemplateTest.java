package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.JSON;
import static com.pyerp.realtime.infra.Synth.arn;
import static com.pyerp.realtime.infra.Synth.gateway;
import static com.pyerp.realtime.infra.Synth.ref;
import static com.pyerp.realtime.infra.Synth.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.events.EventCatalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.assertions.Match;
import tools.jackson.databind.JsonNode;

@Timeout(300)
class MonitoringAndOutputsTemplateTest {

    private static Object alarmOn(String metric, String namespace, Object dimensions, String statistic) {
        return alarmOn(metric, namespace, dimensions, statistic, 1);
    }

    private static Object alarmOn(String metric, String namespace, Object dimensions, String statistic, int threshold) {
        return Match.objectLike(Map.ofEntries(
                Map.entry("MetricName", metric),
                Map.entry("Namespace", namespace),
                Map.entry("Dimensions", dimensions),
                Map.entry("Statistic", statistic),
                Map.entry("Period", 300),
                Map.entry("Threshold", threshold),
                Map.entry("EvaluationPeriods", 1),
                Map.entry("ComparisonOperator", "GreaterThanOrEqualToThreshold"),
                Map.entry("TreatMissingData", "notBreaching"),
                Map.entry("AlarmActions", List.of(ref(Synth.stack().alarmTopic()))),
                Map.entry("OKActions", List.of(ref(Synth.stack().alarmTopic())))));
    }

    @Test
    void everyFunction_alarmsOnErrorsAndThrottles() {
        for (GatewayFunction f : GatewayFunction.values()) {
            List<Map<String, Object>> dims = List.of(Map.of(
                    "Name", "FunctionName", "Value", ref(gateway().function(f).function())));
            template()
                    .hasResourceProperties(
                            "AWS::CloudWatch::Alarm",
                            alarmOn(
                                    "Errors",
                                    "AWS/Lambda",
                                    dims,
                                    "Sum",
                                    f == GatewayFunction.AUTHORIZER
                                            ? GatewayMonitoring.AUTHORIZER_ERROR_THRESHOLD
                                            : 1));
            template().hasResourceProperties("AWS::CloudWatch::Alarm", alarmOn("Throttles", "AWS/Lambda", dims, "Sum"));
        }
    }

    @Test
    void deadLetterQueues_andApiErrors_alarm() {
        for (var q :
                List.of(gateway().events().deliveryDlq(), gateway().events().dispatchDlq())) {
            template()
                    .hasResourceProperties(
                            "AWS::CloudWatch::Alarm",
                            alarmOn(
                                    "ApproximateNumberOfMessagesVisible",
                                    "AWS/SQS",
                                    List.of(Map.of(
                                            "Name",
                                            "QueueName",
                                            "Value",
                                            Map.of("Fn::GetAtt", List.of(Synth.logicalId(q), "QueueName")))),
                                    "Maximum"));
        }
        List<Map<String, Object>> stageDims = List.of(
                Map.of("Name", "ApiId", "Value", ref(gateway().api())), Map.of("Name", "Stage", "Value", "live"));
        template()
                .hasResourceProperties(
                        "AWS::CloudWatch::Alarm", alarmOn("IntegrationError", "AWS/ApiGateway", stageDims, "Sum", 5));
        template()
                .hasResourceProperties(
                        "AWS::CloudWatch::Alarm", alarmOn("ExecutionError", "AWS/ApiGateway", stageDims, "Sum"));
    }

    @Test
    void dispatchBuffer_alarmsWhenItsOldestEventWaitsOverAMinute() {
        List<Map<String, Object>> dims = List.of(Map.of(
                "Name",
                "QueueName",
                "Value",
                Map.of("Fn::GetAtt", List.of(Synth.logicalId(gateway().events().dispatchBuffer()), "QueueName"))));
        assertThat(GatewayMonitoring.BUFFER_AGE_THRESHOLD_SECONDS).isEqualTo(60);
        template()
                .hasResourceProperties(
                        "AWS::CloudWatch::Alarm",
                        Match.objectEquals(Map.ofEntries(
                                Map.entry("MetricName", "ApproximateAgeOfOldestMessage"),
                                Map.entry("Namespace", "AWS/SQS"),
                                Map.entry("Dimensions", dims),
                                Map.entry("Statistic", "Maximum"),
                                Map.entry("Period", 300),
                                Map.entry("Threshold", 60),
                                Map.entry("ComparisonOperator", "GreaterThanThreshold"),
                                Map.entry("EvaluationPeriods", 1),
                                Map.entry("TreatMissingData", "notBreaching"),
                                Map.entry(
                                        "AlarmDescription",
                                        Match.stringLikeRegexp(".*dispatch buffer.*not keeping up.*")),
                                Map.entry(
                                        "AlarmActions",
                                        List.of(ref(Synth.stack().alarmTopic()))),
                                Map.entry("OKActions", List.of(ref(Synth.stack().alarmTopic()))))));
        // only the buffer's own age alarm and the three DLQ-depth alarms watch SQS; the failed-dispatch alarm is gone
        assertThat(template()
                        .findResources(
                                "AWS::CloudWatch::Alarm",
                                Match.objectLike(
                                        Map.of("Properties", Match.objectLike(Map.of("Namespace", "AWS/SQS"))))))
                .hasSize(4);
        assertThat(gateway().monitoring().alarms())
                .containsKeys("DispatchDlqNotEmpty", "DispatchBufferAge", "DeliveryDlqNotEmpty", "FanOutDlqNotEmpty")
                .doesNotContainKey("FailedDispatchNotEmpty");
    }

    @Test
    void dispatchersOwnCounts_alarmOnInvalidEventsAndFailedPosts() {
        template()
                .hasResourceProperties(
                        "AWS::CloudWatch::Alarm", alarmOn("EventsInvalid", "PyerpRealtime", Match.absent(), "Sum", 1));
        template()
                .hasResourceProperties(
                        "AWS::CloudWatch::Alarm", alarmOn("RegistryErrors", "PyerpRealtime", Match.absent(), "Sum", 1));
        template()
                .hasResourceProperties(
                        "AWS::CloudWatch::Alarm",
                        alarmOn(
                                "MessagesFailed",
                                "PyerpRealtime",
                                Match.absent(),
                                "Sum",
                                GatewayMonitoring.MESSAGES_FAILED_THRESHOLD));
    }

    @Test
    void everyRule_alarmsOnFailedAndLostInvocations() {
        int rules = EventCatalog.load().rulePatterns().size();
        // per function Errors + Throttles; ApiIntegrationErrors, ApiExecutionErrors, DeliveryDlqNotEmpty,
        // DispatchDlqNotEmpty, FanOutDlqNotEmpty,
        // DispatchBufferAge, InvalidErpEvents, DispatchMessagesFailed, RegistryErrors; one per rule
        // + the audit refusals alarm of RealtimeGateway (not part of GatewayMonitoring)
        template().resourceCountIs("AWS::CloudWatch::Alarm", GatewayFunction.values().length * 2 + 9 + rules + 1);
        assertThat(gateway().monitoring().alarms()).hasSize(GatewayFunction.values().length * 2 + 9 + rules);
        for (String name : EventCatalog.load().rulePatterns().keySet()) {
            Object failedMetric = Match.objectLike(Map.of(
                    "Namespace", "AWS/Events",
                    "MetricName", "FailedInvocations",
                    "Dimensions",
                            Match.arrayWith(List.of(Map.of(
                                    "Name",
                                    "RuleName",
                                    "Value",
                                    ref(gateway().events().rules().get(name)))))));
            template()
                    .hasResourceProperties(
                            "AWS::CloudWatch::Alarm",
                            Match.objectLike(Map.of(
                                    "Threshold", 1,
                                    "AlarmActions", List.of(ref(Synth.stack().alarmTopic())),
                                    "Metrics",
                                            Match.arrayWith(List.of(
                                                    Match.objectLike(
                                                            Map.of("Expression", "failed + lost", "ReturnData", true)),
                                                    Match.objectLike(Map.of(
                                                            "Id",
                                                            "failed",
                                                            "MetricStat",
                                                            Match.objectLike(Map.of("Metric", failedMetric)))))))));
        }
    }

    @Test
    void dashboard_showsConnectionsMessagesDispatcherBufferDlqsAndLambdaHealth() {
        Map<String, Map<String, Object>> dashboards = template().findResources("AWS::CloudWatch::Dashboard");
        assertThat(dashboards).hasSize(1);
        // the body is an Fn::Join of literal JSON fragments and references; its literal text names the metrics
        StringBuilder body = new StringBuilder();
        for (JsonNode part : JSON.valueToTree(dashboards.values().iterator().next())
                .path("Properties")
                .path("DashboardBody")
                .path("Fn::Join")
                .path(1)) {
            if (part.isString()) body.append(part.asString());
        }
        assertThat(body.toString())
                .contains(
                        "\"ConnectCount\"",
                        "\"MessageCount\"",
                        "\"IntegrationError\"",
                        "\"ApproximateNumberOfMessagesVisible\"",
                        "\"Errors\"",
                        "\"Throttles\"",
                        "\"Duration\"",
                        "\"Invocations\"",
                        "\"title\":\"Connections\"",
                        "\"title\":\"Dead-letter queues\"",
                        "\"title\":\"Dispatcher\"",
                        "p99",
                        "\"title\":\"Dispatch buffer depth\"",
                        "\"ApproximateNumberOfMessagesNotVisible\"",
                        "\"ApproximateAgeOfOldestMessage\"",
                        "\"PyerpRealtime\"",
                        "\"MessagesDelivered\"",
                        "\"EventsReceived\"");
    }

    @Test
    void outputs_giveTheWssUrl_theConnectionsUrl_andTheBus() {
        Map<String, Object> region = Map.of("Ref", "AWS::Region");
        Map<String, Object> suffix = Map.of("Ref", "AWS::URLSuffix");
        template()
                .hasOutput(
                        RealtimeGatewayStack.OUT_WSS_URL,
                        Match.objectLike(Map.of(
                                "Value",
                                Map.of(
                                        "Fn::Join",
                                        List.of(
                                                "",
                                                List.of(
                                                        "wss://",
                                                        ref(gateway().api()),
                                                        ".execute-api.",
                                                        region,
                                                        ".",
                                                        suffix,
                                                        "/live"))))));
        template()
                .hasOutput(
                        RealtimeGatewayStack.OUT_CONNECTIONS_URL,
                        Match.objectLike(Map.of(
                                "Value",
                                Map.of(
                                        "Fn::Join",
                                        List.of(
                                                "",
                                                List.of(
                                                        "https://",
                                                        ref(gateway().api()),
                                                        ".execute-api.",
                                                        region,
                                                        ".",
                                                        suffix,
                                                        "/live/@connections"))))));
        template()
                .hasOutput(
                        RealtimeGatewayStack.OUT_BUS_NAME,
                        Match.objectLike(Map.of("Value", ref(gateway().events().bus()))));
        template()
                .hasOutput(
                        RealtimeGatewayStack.OUT_BUS_ARN,
                        Match.objectLike(Map.of("Value", arn(gateway().events().bus()))));
        template()
                .hasOutput(
                        RealtimeGatewayStack.OUT_ALARM_TOPIC,
                        Match.objectLike(Map.of("Value", ref(Synth.stack().alarmTopic()))));
    }
}
