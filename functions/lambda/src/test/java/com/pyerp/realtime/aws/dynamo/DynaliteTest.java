package com.pyerp.realtime.aws.dynamo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The test harness itself: dynalite answers, and never outlives its owner. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DynaliteTest {

    @Test
    void close_stopsTheServer() {
        Dynalite d = Dynalite.start();
        long pid = d.pid();
        try (DynamoDbClient c = d.client()) {
            assertThat(c.listTables().tableNames()).isEmpty();
        } finally {
            d.close();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("dynalite pid " + pid + " alive")
                .isFalse();
    }

    @Test
    void serverExitsByItselfWhenItsOwnerGoesAway() throws Exception {
        try (Dynalite d = Dynalite.start()) {
            ProcessHandle handle = ProcessHandle.of(d.pid()).orElseThrow();

            d.closeStdin(); // what the kernel does when this JVM dies, even by kill -9

            handle.onExit().get(10, TimeUnit.SECONDS);
            assertThat(d.isAlive()).isFalse();
        }
    }
}
