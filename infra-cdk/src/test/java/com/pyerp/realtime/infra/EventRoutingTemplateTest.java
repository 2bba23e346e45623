package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.JSON;
import static com.pyerp.realtime.infra.Synth.arn;
import static com.pyerp.realtime.infra.Synth.gateway;
import static com.pyerp.realtime.infra.Synth.logicalId;
import static com.pyerp.realtime.infra.Synth.ref;
import static com.pyerp.realtime.infra.Synth.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.dispatch.DispatchBuffer;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.EventDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.assertions.Match;
import tools.jackson.databind.JsonNode;

@Timeout(300)
class EventRoutingTemplateTest {
    private static final EventCatalog CATALOG = EventCatalog.load();

    @Test
    void bus_isTheCatalogs() {
        template().resourceCountIs("AWS::Events::EventBus", 1);
        template().hasResourceProperties("AWS::Events::EventBus", Match.objectLike(Map.of("Name", CATALOG.bus())));
        assertThat(CATALOG.bus()).isEqualTo("erp-events");
    }

    @Test
    void oneRulePerCatalogPattern_withThePatternVerbatim() {
        Map<String, String> patterns = CATALOG.rulePatterns();
        // plus the session function's two rules (the sweep schedule and SessionsRevoked): RealtimeGatewaySessionTest
        template().resourceCountIs("AWS::Events::Rule", patterns.size() + 2);
        JsonNode resources = Synth.json(template()).path("Resources");
        for (Map.Entry<String, String> p : patterns.entrySet()) {
            String id = logicalId(gateway().events().rules().get(p.getKey()));
            JsonNode rule = resources.path(id).path("Properties");
            assertThat(rule.path("Name").asString()).isEqualTo(p.getKey());
            assertThat(rule.path("EventBusName"))
                    .isEqualTo(Synth.tree(ref(gateway().events().bus())));
            // the synthesized pattern equals the catalog's JSON: same keys, same values, nothing added
            assertThat(rule.path("EventPattern")).isEqualTo(JSON.readTree(p.getValue()));
        }
    }

    @Test
    void everyRule_sendsToTheDispatchBuffer_withRetryPolicyAndDeliveryDlq() {
        for (String name : CATALOG.rulePatterns().keySet()) {
            template()
                    .hasResourceProperties(
                            "AWS::Events::Rule",
                            Match.objectLike(Map.of(
                                    "Name",
                                    name,
                                    "State",
                                    "ENABLED",
                                    // exactly this target: the whole event is the message body (no Input, no
                                    // InputTransformer)
                                    "Targets",
                                    List.of(Match.objectEquals(Map.of(
                                            "Id", "Target0",
                                            "Arn", arn(gateway().events().dispatchBuffer()),
                                            "RetryPolicy",
                                                    Map.of("MaximumEventAgeInSeconds", 600, "MaximumRetryAttempts", 10),
                                            "DeadLetterConfig",
                                                    Map.of(
                                                            "Arn",
                                                            arn(gateway()
                                                                    .events()
                                                                    .deliveryDlq()))))))));
        }
        // EventBridge invokes no function but the session function (its two rules): no other invoke permission
        Map<String, Map<String, Object>> perms = template()
                .findResources(
                        "AWS::Lambda::Permission",
                        Match.objectLike(
                                Map.of("Properties", Match.objectLike(Map.of("Principal", "events.amazonaws.com")))));
        assertThat(perms).hasSize(2);
        String sessionAlias =
                logicalId(gateway().function(GatewayFunction.SESSION).alias());
        for (Map<String, Object> perm : perms.values())
            assertThat(JSON.valueToTree(perm)
                            .path("Properties")
                            .path("FunctionName")
                            .path("Ref")
                            .asString())
                    .isEqualTo(sessionAlias);
    }

    @Test
    void dispatchBuffer_isEncrypted_tlsOnly_redrivesAfterMaxReceiveCount_andOutlastsSixDispatcherTimeouts() {
        JsonNode buffer = Synth.json(template())
                .path("Resources")
                .path(logicalId(gateway().events().dispatchBuffer()));
        assertThat(buffer.path("Type").asString()).isEqualTo("AWS::SQS::Queue");
        JsonNode props = buffer.path("Properties");
        assertThat(props.path("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(props.path("MessageRetentionPeriod").asInt()).isEqualTo(4 * 24 * 3600);
        assertThat(props.has("FifoQueue")).as("a standard queue").isFalse();
        assertThat(props.path("RedrivePolicy"))
                .isEqualTo(Synth.tree(Map.of(
                        "deadLetterTargetArn",
                        arn(gateway().events().dispatchDlq()),
                        "maxReceiveCount",
                        DispatchBuffer.MAX_RECEIVE_COUNT)));
        // AWS: at least 6 x the consumer's timeout; plus the batching window, during which the records are already
        // received
        int dispatcherTimeout = GatewayFunction.DISPATCHER.timeout().toSeconds().intValue();
        assertThat(props.path("VisibilityTimeout").asInt())
                .isGreaterThanOrEqualTo(6 * dispatcherTimeout)
                .isEqualTo(6 * dispatcherTimeout + (int) DispatchBuffer.BATCHING_WINDOW.toSeconds());
        // the dead-letter queue keeps messages longer than the buffer: a moved message keeps its original enqueue time
        JsonNode dlq = Synth.json(template())
                .path("Resources")
                .path(logicalId(gateway().events().dispatchDlq()))
                .path("Properties");
        assertThat(dlq.path("MessageRetentionPeriod").asInt())
                .isGreaterThan(props.path("MessageRetentionPeriod").asInt());
    }

    @Test
    void onlyTheRules_maySendToTheDispatchBuffer_overTls() {
        Map<String, Object> bufferArn = arn(gateway().events().dispatchBuffer());
        List<Object> statements = new ArrayList<>();
        statements.add(Map.of(
                "Action",
                "sqs:*",
                "Effect",
                "Deny",
                "Principal",
                Map.of("AWS", "*"),
                "Condition",
                Map.of("Bool", Map.of("aws:SecureTransport", "false")),
                "Resource",
                bufferArn));
        for (String name : CATALOG.rulePatterns().keySet()) {
            // what the SqsQueue target grants: send (and read the queue's attributes/URL), only on behalf of this rule
            statements.add(Map.of(
                    "Action",
                    List.of("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"),
                    "Effect",
                    "Allow",
                    "Principal",
                    Map.of("Service", "events.amazonaws.com"),
                    "Condition",
                    Map.of(
                            "ArnEquals",
                            Map.of(
                                    "aws:SourceArn",
                                    arn(gateway().events().rules().get(name)))),
                    "Resource",
                    bufferArn));
        }
        template()
                .hasResourceProperties(
                        "AWS::SQS::QueuePolicy",
                        Match.objectEquals(Map.of(
                                "Queues", List.of(ref(gateway().events().dispatchBuffer())),
                                "PolicyDocument", Map.of("Statement", statements, "Version", "2012-10-17"))));
    }

    @Test
    void deadLetterQueues_keepMessages14Days_encrypted_tlsOnly_andOnlyTheRulesMaySendToTheDeliveryDlq() {
        // the rules' buffer and its two DLQs, plus the fan-out queue of scatter and its DLQ (FanOutTemplateTest)
        template().resourceCountIs("AWS::SQS::Queue", 5);
        for (var q :
                List.of(gateway().events().deliveryDlq(), gateway().events().dispatchDlq())) {
            assertThat(Synth.json(template())
                            .path("Resources")
                            .path(logicalId(q))
                            .path("Properties"))
                    .isEqualTo(Synth.tree(Map.of("MessageRetentionPeriod", 1209600, "SqsManagedSseEnabled", true)));
        }
        List<Object> allowRules = new ArrayList<>();
        allowRules.add(Map.of(
                "Action",
                "sqs:*",
                "Effect",
                "Deny",
                "Principal",
                Map.of("AWS", "*"),
                "Condition",
                Map.of("Bool", Map.of("aws:SecureTransport", "false")),
                "Resource",
                arn(gateway().events().deliveryDlq())));
        for (String name : CATALOG.rulePatterns().keySet()) {
            allowRules.add(Match.objectLike(Map.of(
                    "Action",
                    "sqs:SendMessage",
                    "Effect",
                    "Allow",
                    "Principal",
                    Map.of("Service", "events.amazonaws.com"),
                    "Condition",
                    Map.of(
                            "ArnEquals",
                            Map.of(
                                    "aws:SourceArn",
                                    arn(gateway().events().rules().get(name)))),
                    "Resource",
                    arn(gateway().events().deliveryDlq()))));
        }
        template()
                .hasResourceProperties(
                        "AWS::SQS::QueuePolicy",
                        Match.objectLike(Map.of(
                                "Queues", List.of(ref(gateway().events().deliveryDlq())),
                                "PolicyDocument", Match.objectLike(Map.of("Statement", allowRules)))));
        // nobody but TLS clients (the console, an operator's redrive) touches the dispatch DLQ: SQS itself moves
        // messages in
        template()
                .hasResourceProperties(
                        "AWS::SQS::QueuePolicy",
                        Match.objectEquals(Map.of(
                                "Queues", List.of(ref(gateway().events().dispatchDlq())),
                                "PolicyDocument",
                                        Map.of(
                                                "Version",
                                                "2012-10-17",
                                                "Statement",
                                                List.of(Map.of(
                                                        "Action",
                                                        "sqs:*",
                                                        "Effect",
                                                        "Deny",
                                                        "Principal",
                                                        Map.of("AWS", "*"),
                                                        "Condition",
                                                        Map.of("Bool", Map.of("aws:SecureTransport", "false")),
                                                        "Resource",
                                                        arn(gateway().events().dispatchDlq())))))));
    }

    @Test
    void catalogSchemas_arePublishedToTheSchemaRegistry() {
        String registryName = CATALOG.bus() + "-schemas";
        template()
                .hasResourceProperties(
                        "AWS::EventSchemas::Registry", Match.objectLike(Map.of("RegistryName", registryName)));
        template().resourceCountIs("AWS::EventSchemas::Schema", CATALOG.events().size());
        String registryId = template().getResourceId("AWS::EventSchemas::Registry");
        JsonNode resources = Synth.json(template()).path("Resources");
        for (EventDefinition def : CATALOG.events()) {
            template()
                    .hasResource(
                            "AWS::EventSchemas::Schema",
                            Match.objectLike(Map.of(
                                    "DependsOn", List.of(registryId),
                                    "Properties",
                                            Match.objectLike(Map.of(
                                                    "RegistryName",
                                                    registryName,
                                                    "SchemaName",
                                                    def.source() + "@" + def.detailType(),
                                                    "Type",
                                                    "JSONSchemaDraft4")))));
            JsonNode schema = null;
            for (JsonNode r : resources) {
                if (r.path("Properties").path("SchemaName").asString().equals(EventRouting.schemaName(def)))
                    schema = r.path("Properties");
            }
            assertThat(schema).as(def.name()).isNotNull();
            assertThat(JSON.readTree(schema.path("Content").asString()))
                    .isEqualTo(EventCatalog.readTree(EventCatalog.BASE + def.schemaPath()));
        }
    }
}
