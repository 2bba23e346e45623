package com.pyerp.realtime.local;

import com.pyerp.realtime.events.publisher.ErpEventPublisher;
import com.pyerp.realtime.events.publisher.Simulator;
import java.io.PrintStream;

/**
 * {@code --demo}: the event simulator publishing realistic pyERP events through this gateway's own
 * PutEvents endpoint, with the real publisher library (EventBridge SDK client), so the console has
 * something to show from the first second.
 */
final class Demo implements AutoCloseable {
    private final ErpEventPublisher publisher;
    private final Simulator simulator;
    private final Thread thread;

    private Demo(ErpEventPublisher publisher, Simulator simulator, PrintStream out) {
        this.publisher = publisher;
        this.simulator = simulator;
        this.thread = new Thread(
                () -> {
                    Simulator.Summary s = simulator.run(p -> {});
                    out.println("demo: stopped after " + s.sent() + " events");
                },
                "local-gateway-demo");
        thread.setDaemon(true);
    }

    static Demo start(LocalGateway gw, double rate, PrintStream out) {
        ErpEventPublisher publisher = ErpEventPublisher.builder()
                .endpoint(gw.eventBridgeUrl())
                .ignoreEnvironmentEndpoint(true)
                .bus(gw.bus())
                .region("us-east-1")
                .producer("local-gateway-demo")
                .build();
        Simulator simulator = Simulator.builder()
                .publisher(publisher)
                .ratePerSecond(rate)
                .duration(Simulator.MAX_DURATION)
                .tenant("acme")
                .seed(System.nanoTime())
                .build();
        Demo d = new Demo(publisher, simulator, out);
        d.thread.start();
        return d;
    }

    @Override
    public void close() {
        simulator.stop();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.close();
    }
}
