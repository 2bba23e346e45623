package com.pyerp.realtime.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.aws.dynamo.RegistryTableSetup;
import com.pyerp.realtime.core.registry.RegistrySchema;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * The stack's tables on LocalStack's DynamoDB. The CDK construct's tables are tested equal to
 * {@link RegistryTableSetup}'s requests (infra-cdk RegistryTablesTemplateTest); here those requests create real tables,
 * with TTL (which dynalite cannot enable), and the layout LocalStack reports back is the one the registry queries.
 */
@ExtendWith(LocalStackDocker.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LocalStackTablesTest {

    @Test
    void createIfMissing_shouldCreateBothTablesWithTheirIndexes_andEnableTtl() {
        var client = LocalStackRegistryContractTest.client();
        RegistryTableSetup.Outcome outcome =
                RegistryTableSetup.createIfMissing(client, "stack-connections", "stack-subscriptions");

        assertThat(outcome.ttl()).containsValues("ENABLED").doesNotContainValue("UNSUPPORTED");
        TableDescription connections =
                client.describeTable(d -> d.tableName("stack-connections")).table();
        assertThat(connections.keySchema()).containsExactly(key(RegistrySchema.CONN_PK, KeyType.HASH));
        GlobalSecondaryIndexDescription byUser =
                connections.globalSecondaryIndexes().get(0);
        assertThat(byUser.indexName()).isEqualTo(RegistrySchema.CONN_BY_USER_INDEX);
        assertThat(byUser.keySchema()).containsExactly(key(RegistrySchema.CONN_USER_KEY, KeyType.HASH));

        TableDescription subscriptions =
                client.describeTable(d -> d.tableName("stack-subscriptions")).table();
        assertThat(subscriptions.keySchema())
                .containsExactly(key(RegistrySchema.SUB_PK, KeyType.HASH), key(RegistrySchema.SUB_SK, KeyType.RANGE));
        GlobalSecondaryIndexDescription byChannel =
                subscriptions.globalSecondaryIndexes().get(0);
        assertThat(byChannel.indexName()).isEqualTo(RegistrySchema.SUB_BY_CHANNEL_INDEX);
        assertThat(byChannel.keySchema())
                .containsExactly(
                        key(RegistrySchema.SUB_CHANNEL_PK, KeyType.HASH),
                        key(RegistrySchema.SUB_CHANNEL_SK, KeyType.RANGE));
        assertThat(byChannel.projection().nonKeyAttributes())
                .containsExactlyInAnyOrderElementsOf(RegistrySchema.BY_CHANNEL_PROJECTION);

        for (String table : List.of("stack-connections", "stack-subscriptions")) {
            var ttl = client.describeTimeToLive(d -> d.tableName(table)).timeToLiveDescription();
            assertThat(ttl.timeToLiveStatus()).as(table).isEqualTo(TimeToLiveStatus.ENABLED);
            assertThat(ttl.attributeName()).as(table).isEqualTo(RegistrySchema.EXPIRES_AT);
        }

        // a second call (every gateway start) finds them and changes nothing
        RegistryTableSetup.Outcome again =
                RegistryTableSetup.createIfMissing(client, "stack-connections", "stack-subscriptions");
        assertThat(again.created()).isEmpty();
        assertThat(again.existing()).containsExactly("stack-connections", "stack-subscriptions");
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
