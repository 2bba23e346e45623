package com.pyerp.realtime.aws.dynamo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.registry.RegistrySchema;
import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegistryTableSetupTest {
    private static Dynalite dynalite;
    private static DynamoDbClient client;

    @BeforeAll
    static void start() {
        dynalite = Dynalite.start();
        client = dynalite.client();
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (dynalite != null) dynalite.close();
    }

    @Test
    void createIfMissing_createsBothTablesWithTheIndexesTheRegistryQueries() {
        RegistryTableSetup.Outcome outcome =
                RegistryTableSetup.createIfMissing(client, "t1-connections", "t1-subscriptions");

        assertThat(outcome.created()).containsExactly("t1-connections", "t1-subscriptions");
        assertThat(outcome.existing()).isEmpty();
        assertThat(outcome.ttl()).containsEntry("t1-connections", "UNSUPPORTED"); // dynalite has no UpdateTimeToLive

        TableDescription conn =
                client.describeTable(r -> r.tableName("t1-connections")).table();
        assertThat(conn.keySchema()).singleElement().satisfies(k -> {
            assertThat(k.attributeName()).isEqualTo(RegistrySchema.CONN_PK);
            assertThat(k.keyType()).isEqualTo(KeyType.HASH);
        });
        GlobalSecondaryIndexDescription byUser = conn.globalSecondaryIndexes().get(0);
        assertThat(byUser.indexName()).isEqualTo(RegistrySchema.CONN_BY_USER_INDEX);
        assertThat(byUser.keySchema().get(0).attributeName()).isEqualTo(RegistrySchema.CONN_USER_KEY);
        assertThat(byUser.projection().projectionType()).isEqualTo(ProjectionType.ALL);

        TableDescription subs =
                client.describeTable(r -> r.tableName("t1-subscriptions")).table();
        assertThat(subs.keySchema())
                .extracting(k -> k.attributeName() + " " + k.keyType())
                .containsExactly(RegistrySchema.SUB_PK + " HASH", RegistrySchema.SUB_SK + " RANGE");
        GlobalSecondaryIndexDescription byChannel =
                subs.globalSecondaryIndexes().get(0);
        assertThat(byChannel.indexName()).isEqualTo(RegistrySchema.SUB_BY_CHANNEL_INDEX);
        assertThat(byChannel.keySchema())
                .extracting(k -> k.attributeName() + " " + k.keyType())
                .containsExactly(RegistrySchema.SUB_CHANNEL_PK + " HASH", RegistrySchema.SUB_CHANNEL_SK + " RANGE");
        assertThat(byChannel.projection().projectionType()).isEqualTo(ProjectionType.INCLUDE);
        assertThat(byChannel.projection().nonKeyAttributes())
                .containsExactlyInAnyOrderElementsOf(RegistrySchema.BY_CHANNEL_PROJECTION);
    }

    @Test
    void createIfMissing_again_isANoOp() {
        RegistryTableSetup.createIfMissing(client, "t2-connections", "t2-subscriptions");

        RegistryTableSetup.Outcome again =
                RegistryTableSetup.createIfMissing(client, "t2-connections", "t2-subscriptions");

        assertThat(again.created()).isEmpty();
        assertThat(again.existing()).containsExactly("t2-connections", "t2-subscriptions");
        assertThat(again.toString()).contains("already there [t2-connections, t2-subscriptions]");
    }

    @Test
    void anExistingTableWithAnotherKey_isRefusedWithTheDifference() {
        // the subscriptions table's layout under the connections table's name
        client.createTable(RegistryTableSetup.subscriptionsTableRequest("t3-connections"));

        assertThatThrownBy(() -> RegistryTableSetup.createIfMissing(client, "t3-connections", "t3-subscriptions"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("table 't3-connections' exists with key [connectionId HASH, channelKey RANGE]")
                .hasMessageContaining("the registry needs [connectionId HASH]");
    }

    @Test
    void anExistingTableWithoutTheIndex_isRefused() {
        CreateTableRequest full = RegistryTableSetup.subscriptionsTableRequest("t4-subscriptions");
        client.createTable(r -> r.tableName(full.tableName())
                .billingMode(full.billingMode())
                .attributeDefinitions(full.attributeDefinitions())
                .keySchema(full.keySchema()));

        assertThatThrownBy(() -> RegistryTableSetup.createIfMissing(client, "t4-connections", "t4-subscriptions"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("table 't4-subscriptions' exists without the index 'byChannel'");
    }

    @Test
    void invalidNames_areRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> RegistryTableSetup.createIfMissing(client, "ab", "has space"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connections table: 'ab' is not a valid DynamoDB table name")
                .hasMessageContaining("subscriptions table: 'has space' is not a valid DynamoDB table name");
        assertThatThrownBy(() -> RegistryTableSetup.createIfMissing(client, "same-name", "same-name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> RegistryTableSetup.createIfMissing(client, null, "x-subscriptions"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connections table: table name is missing");
    }

    @Test
    void endpointDown_givesRegistryUnavailable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI down = URI.create("http://127.0.0.1:" + port);
        try (DynamoDbClient c = DynamoDbClients.create(
                "eu-central-1",
                Optional.of(down),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")),
                DynamoDbClients.Settings.defaults())) {
            assertThatThrownBy(() -> RegistryTableSetup.createIfMissing(c, "t5-connections", "t5-subscriptions"))
                    .isInstanceOf(RegistryUnavailableException.class)
                    .hasMessageContaining("DynamoDB at " + down + " is unreachable")
                    .hasMessageContaining("t5-connections");
        }
    }
}
