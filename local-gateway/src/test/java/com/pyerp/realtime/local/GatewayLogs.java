package com.pyerp.realtime.local;

import com.pyerp.realtime.core.log.JsonLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A gateway's log lines, shown only when a test fails (as javalin's TestTool does): every {@link JsonLog} line is kept,
 * the lines logged during each test are printed after it if it failed, and a passing suite prints nothing.
 *
 * <pre>@RegisterExtension static final GatewayLogs LOGS = new GatewayLogs();</pre>
 */
final class GatewayLogs implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, TestWatcher {
    /** At most this many of a failed test's last lines are printed. */
    static final int PRINTED_ON_FAILURE = 500;

    private final List<String> all = new CopyOnWriteArrayList<>();
    private volatile int testStart;
    /** Lines logged before the first test (the class's setup), or -1 before it. */
    private volatile int setupEnd = -1;

    /** Every line since the class started (tests assert on the logs through it). */
    List<String> all() {
        return all;
    }

    void add(String line) {
        all.add(line);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        JsonLog.setSink(this::add);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        testStart = all.size();
        if (setupEnd < 0) setupEnd = testStart;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        List<String> snapshot = List.copyOf(all);
        print("the class's setup", snapshot.subList(0, Math.max(0, Math.min(setupEnd, snapshot.size()))));
        print(
                "the failed test " + context.getDisplayName(),
                snapshot.subList(Math.min(testStart, snapshot.size()), snapshot.size()));
    }

    private static void print(String what, List<String> lines) {
        int skip = Math.max(0, lines.size() - PRINTED_ON_FAILURE);
        System.out.println("---- gateway log of " + what + " (" + lines.size() + " lines"
                + (skip > 0 ? ", the last " + PRINTED_ON_FAILURE : "") + ")");
        lines.stream().skip(skip).forEach(System.out::println);
    }
}
