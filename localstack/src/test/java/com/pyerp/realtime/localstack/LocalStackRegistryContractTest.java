package com.pyerp.realtime.localstack;

import com.pyerp.realtime.aws.dynamo.DynamoDbConnectionRegistry;
import com.pyerp.realtime.aws.dynamo.RegistryTableSetup;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.ConnectionRegistryContract;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * The registry contract suite (the same abstract suite the in-memory and dynalite registries pass) on LocalStack's
 * DynamoDB: fresh tables per test, 25-item channel pages.
 */
@ExtendWith(LocalStackDocker.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LocalStackRegistryContractTest extends ConnectionRegistryContract {
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static DynamoDbClient client;
    private String subscriptionsTable;

    static synchronized DynamoDbClient client() {
        if (client == null)
            client = DynamoDbClient.builder()
                    .endpointOverride(LocalStackDocker.endpoint())
                    .region(LocalStackDocker.REGION)
                    .credentialsProvider(LocalStackDocker.CREDENTIALS)
                    .httpClient(UrlConnectionHttpClient.create())
                    .build();
        return client;
    }

    @AfterAll
    static void closeClient() {
        if (client != null) client.close();
        client = null;
    }

    @Override
    protected ConnectionRegistry newRegistry() {
        int n = TABLES.incrementAndGet();
        String connections = "ls-connections-" + n;
        subscriptionsTable = "ls-subscriptions-" + n;
        RegistryTableSetup.createIfMissing(client(), connections, subscriptionsTable);
        return DynamoDbConnectionRegistry.builder()
                .client(client())
                .connectionsTable(connections)
                .subscriptionsTable(subscriptionsTable)
                .pageSize(25)
                .build();
    }

    @Override
    protected long storedSubscriptions() {
        long count = 0;
        Map<String, AttributeValue> start = null;
        do {
            var startKey = start;
            ScanResponse page = client().scan(s -> s.tableName(subscriptionsTable)
                    .select(Select.COUNT)
                    .consistentRead(true)
                    .exclusiveStartKey(startKey));
            count += page.count();
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return count;
    }
}
