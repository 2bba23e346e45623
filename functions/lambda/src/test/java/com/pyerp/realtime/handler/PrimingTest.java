package com.pyerp.realtime.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.log.JsonLog;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrimingTest {
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void restoreLogs() {
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    @Test
    void priming_runsEveryRegisteredStep_andIgnoresFailures() {
        JsonLog.setSink(lines::add);
        AtomicInteger ran = new AtomicInteger();
        Priming.register("test-failing", () -> {
            ran.incrementAndGet();
            throw new IllegalStateException("endpoint down");
        });
        Priming.register("test-ok", ran::incrementAndGet);

        Priming.primeAll();

        assertThat(ran.get()).isEqualTo(2);
        assertThat(Priming.registered()).contains("test-failing", "test-ok");
        assertThat(lines).anyMatch(l -> l.contains("\"priming\":\"test-failing\"") && l.contains("failed (ignored)"));
        assertThat(lines).anyMatch(l -> l.contains("\"priming\":\"test-ok\"") && l.contains("\"primed\""));
    }
}
