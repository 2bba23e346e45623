package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.JSON;
import static com.pyerp.realtime.infra.Synth.arn;
import static com.pyerp.realtime.infra.Synth.gateway;
import static com.pyerp.realtime.infra.Synth.logicalId;
import static com.pyerp.realtime.infra.Synth.ref;
import static com.pyerp.realtime.infra.Synth.template;
import static org.assertj.core.api.Assertions.assertThat;

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
        template().resourceCountIs("AWS::Events::Rule", patterns.size());
        JsonNode resources = Synth.json(template()).path("Resources");
        for (Map.Entry<String, String> p : patterns.entrySet()) {
            String id = logicalId(gateway().events().rules().get(p.getKey()));
            JsonNode rule = resources.path(id).path("Properties");
            assertThat(rule.path("Name").asString()).isEqualTo(p.getKey());
            assertThat(rule.path("EventBusName")).isEqualTo(Synth.tree(ref(gateway().events().bus())));
            // the synthesized pattern equals the catalog's JSON: same keys, same values, nothing added
            assertThat(rule.path("EventPattern")).isEqualTo(JSON.readTree(p.getValue()));
        }
    }

    @Test
    void everyRule_targetsTheDispatcherAlias_withRetryPolicyAndDeliveryDlq() {
        for (String name : CATALOG.rulePatterns().keySet()) {
            template().hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of(
                    "Name", name,
                    "State", "ENABLED",
                    "Targets", List.of(Map.of(
                            "Id", "Target0",
                            "Arn", ref(gateway().function(GatewayFunction.DISPATCHER).alias()),
                            "RetryPolicy", Map.of("MaximumEventAgeInSeconds", 600, "MaximumRetryAttempts", 10),
                            "DeadLetterConfig", Map.of("Arn", arn(gateway().events().deliveryDlq())))))));
            // EventBridge may invoke the alias for this rule only
            template().hasResourceProperties("AWS::Lambda::Permission", Match.objectEquals(Map.of(
                    "Action", "lambda:InvokeFunction",
                    "Principal", "events.amazonaws.com",
                    "FunctionName", ref(gateway().function(GatewayFunction.DISPATCHER).alias()),
                    "SourceArn", arn(gateway().events().rules().get(name)))));
        }
    }

    @Test
    void deadLetterQueues_keepMessages14Days_encrypted_tlsOnly_andOnlyTheRulesMaySendToTheDeliveryDlq() {
        template().resourceCountIs("AWS::SQS::Queue", 2);
        template().allResourcesProperties("AWS::SQS::Queue", Match.objectEquals(Map.of(
                "MessageRetentionPeriod", 1209600, "SqsManagedSseEnabled", true)));
        List<Object> allowRules = new ArrayList<>();
        allowRules.add(Map.of("Action", "sqs:*", "Effect", "Deny", "Principal", Map.of("AWS", "*"),
                "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")), "Resource", arn(gateway().events().deliveryDlq())));
        for (String name : CATALOG.rulePatterns().keySet()) {
            allowRules.add(Match.objectLike(Map.of("Action", "sqs:SendMessage", "Effect", "Allow",
                    "Principal", Map.of("Service", "events.amazonaws.com"),
                    "Condition", Map.of("ArnEquals", Map.of("aws:SourceArn", arn(gateway().events().rules().get(name)))),
                    "Resource", arn(gateway().events().deliveryDlq()))));
        }
        template().hasResourceProperties("AWS::SQS::QueuePolicy", Match.objectLike(Map.of(
                "Queues", List.of(ref(gateway().events().deliveryDlq())),
                "PolicyDocument", Match.objectLike(Map.of("Statement", allowRules)))));
    }

    @Test
    void catalogSchemas_arePublishedToTheSchemaRegistry() {
        String registryName = CATALOG.bus() + "-schemas";
        template().hasResourceProperties("AWS::EventSchemas::Registry", Match.objectLike(Map.of("RegistryName", registryName)));
        template().resourceCountIs("AWS::EventSchemas::Schema", CATALOG.events().size());
        String registryId = template().getResourceId("AWS::EventSchemas::Registry");
        JsonNode resources = Synth.json(template()).path("Resources");
        for (EventDefinition def : CATALOG.events()) {
            template().hasResource("AWS::EventSchemas::Schema", Match.objectLike(Map.of(
                    "DependsOn", List.of(registryId),
                    "Properties", Match.objectLike(Map.of(
                            "RegistryName", registryName,
                            "SchemaName", def.source() + "@" + def.detailType(),
                            "Type", "JSONSchemaDraft4")))));
            JsonNode schema = null;
            for (JsonNode r : resources) {
                if (r.path("Properties").path("SchemaName").asString().equals(EventRouting.schemaName(def))) schema = r.path("Properties");
            }
            assertThat(schema).as(def.name()).isNotNull();
            assertThat(JSON.readTree(schema.path("Content").asString()))
                    .isEqualTo(EventCatalog.readTree(EventCatalog.BASE + def.schemaPath()));
        }
    }
}
