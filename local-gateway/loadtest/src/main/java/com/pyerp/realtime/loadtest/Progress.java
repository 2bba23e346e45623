package com.pyerp.realtime.loadtest;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The live progress line: rewritten in place once a second on a terminal, one line every 5 s otherwise (CI logs).
 */
final class Progress {
    private final LoadTestOptions o;
    private final Metrics m;
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private Thread thread;

    Progress(LoadTestOptions o, Metrics m, PrintStream out) {
        this.o = o;
        this.m = m;
        this.out = out;
    }

    void start() {
        thread = new Thread(
                () -> {
                    long every = terminal ? 1000 : 5000;
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            Thread.sleep(every);
                            print(false);
                        }
                    } catch (InterruptedException e) {
                        // stopped
                    }
                },
                "loadtest-progress");
        thread.setDaemon(true);
        thread.start();
    }

    String line() {
        return String.format(
                Locale.ROOT,
                "[%s %6.1fs] connected %d/%d  subscribed %d  published %d  delivered %d  p99 %.1f ms  dup %d  refused %d  errors %d",
                o.scenario().cli,
                m.elapsedSeconds(),
                m.connected.get(),
                o.clients(),
                m.subscribed.get(),
                m.published.get(),
                m.delivered.get(),
                m.latency.percentileMillis(0.99),
                m.duplicates.get(),
                m.refusalCount(),
                m.errorCount());
    }

    private void print(boolean last) {
        if (terminal) out.print("\r" + line() + (last ? "\n" : ""));
        else out.println(line());
        out.flush();
    }

    void stop() {
        if (thread == null) return;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        print(true);
    }
}
