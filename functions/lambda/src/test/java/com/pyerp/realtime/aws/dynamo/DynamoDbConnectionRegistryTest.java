package com.pyerp.realtime.aws.dynamo;

import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.ConnectionRegistryContract;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

/** The registry contract on DynamoDB: dynalite, fresh tables per test, 25-item channel pages. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DynamoDbConnectionRegistryTest extends ConnectionRegistryContract {
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static Dynalite dynalite;
    private static DynamoDbClient client;
    private String subscriptionsTable;

    @BeforeAll
    static void startDynalite() {
        dynalite = Dynalite.start();
        client = dynalite.client();
    }

    @AfterAll
    static void stopDynalite() {
        if (client != null) client.close();
        if (dynalite != null) dynalite.close();
    }

    @Override
    protected ConnectionRegistry newRegistry() {
        dynalite.requireAlive();
        int n = TABLES.incrementAndGet();
        String connections = "connections-" + n;
        subscriptionsTable = "subscriptions-" + n;
        RegistryTableSetup.createIfMissing(client, connections, subscriptionsTable);
        return DynamoDbConnectionRegistry.builder()
                .client(client)
                .connectionsTable(connections)
                .subscriptionsTable(subscriptionsTable)
                .pageSize(25)
                .build();
    }

    @Override
    protected long storedSubscriptions() {
        long count = 0;
        java.util.Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> start = null;
        do {
            var startKey = start;
            ScanResponse page = client.scan(s -> s.tableName(subscriptionsTable)
                    .select(Select.COUNT)
                    .consistentRead(true)
                    .exclusiveStartKey(startKey));
            count += page.count();
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return count;
    }
}
