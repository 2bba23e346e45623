package com.pyerp.realtime.loadtest;

import java.util.Arrays;
import java.util.Optional;

/** The load-test scenarios, by their command-line names. */
enum Scenario {
    CONNECT_STORM("connect-storm", "N clients connect at a rate: handshake p50/p99, refusals by status"),
    FANOUT("fanout", "one event to N subscribers, several rounds: time to first and last receipt"),
    THROUGHPUT("throughput", "events/s x subscribers for a duration: end-to-end latency, losses, duplicates"),
    RECONNECT_STORM(
            "reconnect-storm", "N subscribed clients drop at once and come back: time until all resubscribed, losses"),
    SOAK("soak", "steady load for hours: latency, errors, reconnects and memory over time");

    final String cli;
    final String description;

    Scenario(String cli, String description) {
        this.cli = cli;
        this.description = description;
    }

    static Optional<Scenario> byName(String name) {
        return Arrays.stream(values()).filter(s -> s.cli.equals(name)).findFirst();
    }

    /** Scenarios that publish events (and so need PutEvents). */
    boolean publishes() {
        return this != CONNECT_STORM;
    }
}
