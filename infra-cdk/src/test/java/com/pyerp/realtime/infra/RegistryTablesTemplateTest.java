package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.gateway;
import static com.pyerp.realtime.infra.Synth.template;

import com.pyerp.realtime.core.registry.RegistrySchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;

/** The tables are laid out by RegistrySchema, the names the DynamoDB registry queries. */
@Timeout(300)
class RegistryTablesTemplateTest {

    private static Map<String, Object> common() {
        return Map.of(
                "BillingMode", "PAY_PER_REQUEST",
                "TimeToLiveSpecification", Map.of("AttributeName", RegistrySchema.EXPIRES_AT, "Enabled", true),
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true));
    }

    private static Map<String, String> key(String name, String type) {
        return Map.of("AttributeName", name, "KeyType", type);
    }

    private static Map<String, String> attr(String name) {
        return Map.of("AttributeName", name, "AttributeType", "S");
    }

    @Test
    void connections_isKeyedByConnectionId_withTheByUserIndex() {
        template().resourceCountIs("AWS::DynamoDB::Table", 3);
        java.util.Map<String, Object> expected = new java.util.HashMap<>(common());
        expected.put("KeySchema", List.of(key(RegistrySchema.CONN_PK, "HASH")));
        expected.put(
                "AttributeDefinitions",
                Match.arrayWith(List.of(attr(RegistrySchema.CONN_PK), attr(RegistrySchema.CONN_USER_KEY))));
        expected.put(
                "GlobalSecondaryIndexes",
                List.of(Map.of(
                        "IndexName", RegistrySchema.CONN_BY_USER_INDEX,
                        "KeySchema", List.of(key(RegistrySchema.CONN_USER_KEY, "HASH")),
                        "Projection", Map.of("ProjectionType", "ALL"))));
        template().hasResourceProperties("AWS::DynamoDB::Table", Match.objectEquals(expected));
    }

    @Test
    void subscriptions_isKeyedByConnectionAndChannel_withTheByChannelIndexProjectingOnlyWhatTheDispatcherReads() {
        java.util.Map<String, Object> expected = new java.util.HashMap<>(common());
        expected.put("KeySchema", List.of(key(RegistrySchema.SUB_PK, "HASH"), key(RegistrySchema.SUB_SK, "RANGE")));
        expected.put(
                "AttributeDefinitions",
                Match.arrayWith(List.of(attr(RegistrySchema.SUB_PK), attr(RegistrySchema.SUB_SK))));
        expected.put(
                "GlobalSecondaryIndexes",
                List.of(Map.of(
                        "IndexName", RegistrySchema.SUB_BY_CHANNEL_INDEX,
                        "KeySchema",
                                List.of(
                                        key(RegistrySchema.SUB_CHANNEL_PK, "HASH"),
                                        key(RegistrySchema.SUB_CHANNEL_SK, "RANGE")),
                        "Projection",
                                Map.of(
                                        "ProjectionType",
                                        "INCLUDE",
                                        "NonKeyAttributes",
                                        RegistrySchema.BY_CHANNEL_PROJECTION))));
        template().hasResourceProperties("AWS::DynamoDB::Table", Match.objectEquals(expected));
    }

    @Test
    void history_isKeyedByChannelAndNumericOffset_withTtl_andNoIndex() {
        java.util.Map<String, Object> expected = new java.util.HashMap<>(common());
        expected.put(
                "KeySchema", List.of(key(RegistrySchema.HISTORY_PK, "HASH"), key(RegistrySchema.HISTORY_SK, "RANGE")));
        expected.put(
                "AttributeDefinitions",
                List.of(
                        attr(RegistrySchema.HISTORY_PK),
                        Map.of("AttributeName", RegistrySchema.HISTORY_SK, "AttributeType", "N")));
        template().hasResourceProperties("AWS::DynamoDB::Table", Match.objectEquals(expected));
        // the same layout the history creates itself locally (functions/lambda RegistryTableSetup)
        CreateTableRequest want = com.pyerp.realtime.aws.dynamo.RegistryTableSetup.historyTableRequest("any");
        List<Object> attributes = new ArrayList<>();
        for (AttributeDefinition a : want.attributeDefinitions())
            attributes.add(Map.of("AttributeName", a.attributeName(), "AttributeType", a.attributeTypeAsString()));
        template()
                .hasResourceProperties(
                        "AWS::DynamoDB::Table",
                        Match.objectLike(
                                Map.of("KeySchema", keys(want.keySchema()), "AttributeDefinitions", attributes)));
    }

    /** The CDK tables must be the ones the registry creates itself locally (functions/lambda RegistryTableSetup). */
    @Test
    void tables_matchTheRegistrysOwnCreateTableRequests() {
        for (CreateTableRequest want : List.of(
                com.pyerp.realtime.aws.dynamo.RegistryTableSetup.connectionsTableRequest("any"),
                com.pyerp.realtime.aws.dynamo.RegistryTableSetup.subscriptionsTableRequest("any"))) {
            List<Object> indexes = new ArrayList<>();
            for (GlobalSecondaryIndex i : want.globalSecondaryIndexes()) {
                Map<String, Object> projection = new LinkedHashMap<>();
                projection.put("ProjectionType", i.projection().projectionTypeAsString());
                if (i.projection().hasNonKeyAttributes())
                    projection.put("NonKeyAttributes", i.projection().nonKeyAttributes());
                indexes.add(
                        Map.of("IndexName", i.indexName(), "KeySchema", keys(i.keySchema()), "Projection", projection));
            }
            List<Object> attributes = new ArrayList<>();
            for (AttributeDefinition a : want.attributeDefinitions()) {
                attributes.add(Map.of("AttributeName", a.attributeName(), "AttributeType", a.attributeTypeAsString()));
            }
            template()
                    .hasResourceProperties(
                            "AWS::DynamoDB::Table",
                            Match.objectLike(Map.of(
                                    "BillingMode",
                                    want.billingModeAsString(),
                                    "KeySchema",
                                    keys(want.keySchema()),
                                    "AttributeDefinitions",
                                    attributes,
                                    "GlobalSecondaryIndexes",
                                    indexes)));
        }
    }

    private static List<Object> keys(List<KeySchemaElement> schema) {
        List<Object> out = new ArrayList<>();
        for (KeySchemaElement k : schema)
            out.add(Map.of("AttributeName", k.attributeName(), "KeyType", k.keyTypeAsString()));
        return out;
    }

    @Test
    void tables_followTheRemovalPolicyOfTheApp() {
        // cdk.json: tableRemovalPolicy destroy (registry state is rebuilt by reconnecting clients)
        var resources = Synth.json(template()).path("Resources");
        for (var t :
                List.of(gateway().tables().connections(), gateway().tables().subscriptions())) {
            var r = resources.path(Synth.logicalId(t));
            org.assertj.core.api.Assertions.assertThat(r.path("DeletionPolicy").asString())
                    .isEqualTo("Delete");
            org.assertj.core.api.Assertions.assertThat(
                            r.path("UpdateReplacePolicy").asString())
                    .isEqualTo("Delete");
        }
    }
}
