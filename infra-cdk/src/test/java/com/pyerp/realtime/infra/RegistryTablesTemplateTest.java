package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.gateway;
import static com.pyerp.realtime.infra.Synth.template;

import com.pyerp.realtime.core.registry.RegistrySchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.assertions.Match;

/** The tables are laid out by RegistrySchema, the names the DynamoDB registry queries. */
@Timeout(300)
class RegistryTablesTemplateTest {

    private static Map<String, Object> common() {
        return Map.of(
                "BillingMode", "PAY_PER_REQUEST",
                "TimeToLiveSpecification", Map.of("AttributeName", RegistrySchema.EXPIRES_AT, "Enabled", true),
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true));
    }

    private static Map<String, String> key(String name, String type) { return Map.of("AttributeName", name, "KeyType", type); }
    private static Map<String, String> attr(String name) { return Map.of("AttributeName", name, "AttributeType", "S"); }

    @Test
    void connections_isKeyedByConnectionId_withTheByUserIndex() {
        template().resourceCountIs("AWS::DynamoDB::Table", 2);
        java.util.Map<String, Object> expected = new java.util.HashMap<>(common());
        expected.put("KeySchema", List.of(key(RegistrySchema.CONN_PK, "HASH")));
        expected.put("AttributeDefinitions", Match.arrayWith(List.of(attr(RegistrySchema.CONN_PK), attr(RegistrySchema.CONN_USER_KEY))));
        expected.put("GlobalSecondaryIndexes", List.of(Map.of(
                "IndexName", RegistrySchema.CONN_BY_USER_INDEX,
                "KeySchema", List.of(key(RegistrySchema.CONN_USER_KEY, "HASH")),
                "Projection", Map.of("ProjectionType", "ALL"))));
        template().hasResourceProperties("AWS::DynamoDB::Table", Match.objectEquals(expected));
    }

    @Test
    void subscriptions_isKeyedByConnectionAndChannel_withTheByChannelIndexProjectingOnlyWhatTheDispatcherReads() {
        java.util.Map<String, Object> expected = new java.util.HashMap<>(common());
        expected.put("KeySchema", List.of(key(RegistrySchema.SUB_PK, "HASH"), key(RegistrySchema.SUB_SK, "RANGE")));
        expected.put("AttributeDefinitions", Match.arrayWith(List.of(attr(RegistrySchema.SUB_PK), attr(RegistrySchema.SUB_SK))));
        expected.put("GlobalSecondaryIndexes", List.of(Map.of(
                "IndexName", RegistrySchema.SUB_BY_CHANNEL_INDEX,
                "KeySchema", List.of(key(RegistrySchema.SUB_CHANNEL_PK, "HASH"), key(RegistrySchema.SUB_CHANNEL_SK, "RANGE")),
                "Projection", Map.of("ProjectionType", "INCLUDE", "NonKeyAttributes", RegistrySchema.BY_CHANNEL_PROJECTION))));
        template().hasResourceProperties("AWS::DynamoDB::Table", Match.objectEquals(expected));
    }

    @Test
    void tables_followTheRemovalPolicyOfTheApp() {
        // cdk.json: tableRemovalPolicy destroy (registry state is rebuilt by reconnecting clients)
        var resources = Synth.json(template()).path("Resources");
        for (var t : List.of(gateway().tables().connections(), gateway().tables().subscriptions())) {
            var r = resources.path(Synth.logicalId(t));
            org.assertj.core.api.Assertions.assertThat(r.path("DeletionPolicy").asString()).isEqualTo("Delete");
            org.assertj.core.api.Assertions.assertThat(r.path("UpdateReplacePolicy").asString()).isEqualTo("Delete");
        }
    }
}
