package com.pyerp.realtime.aws.dynamo;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.history.ChannelHistory;
import com.pyerp.realtime.core.history.ChannelHistoryContract;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The history contract on DynamoDB: dynalite, a fresh table per test. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DynamoDbChannelHistoryTest extends ChannelHistoryContract {
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static Dynalite dynalite;
    private static DynamoDbClient client;
    private String table;

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
    protected ChannelHistory newHistory() {
        dynalite.requireAlive();
        table = "history-" + TABLES.incrementAndGet();
        RegistryTableSetup.createHistoryIfMissing(client, table);
        return new DynamoDbChannelHistory(client, table);
    }

    @Override
    protected int appendsPerConcurrentTask() {
        return 40;
    }

    @Test
    void createHistoryIfMissing_isIdempotent() {
        var again = RegistryTableSetup.createHistoryIfMissing(client, table);
        assertThat(again.existing()).containsExactly(table);
        assertThat(again.created()).isEmpty();
    }
}
