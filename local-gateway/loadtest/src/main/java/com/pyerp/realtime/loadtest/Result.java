package com.pyerp.realtime.loadtest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The outcome of a run: summary rows (the table), distributions, time series; as JSON and as text. */
final class Result {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** One line of the summary table; {@code name} is its key in the JSON result. */
    record Row(String name, String label, Object value, String unit) {}

    final Scenario scenario;
    final LoadTestOptions options;
    final Instant startedAt;
    final double durationSeconds;
    final Metrics metrics;
    final List<Row> rows = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    boolean ok = true;

    Result(Scenario scenario, LoadTestOptions options, Instant startedAt, double durationSeconds, Metrics metrics) {
        this.scenario = scenario;
        this.options = options;
        this.startedAt = startedAt;
        this.durationSeconds = durationSeconds;
        this.metrics = metrics;
    }

    Result row(String name, String label, Object value, String unit) {
        rows.add(new Row(name, label, value instanceof Double d ? round(d) : value, unit));
        return this;
    }

    static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }

    ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("tool", "pyerp-realtime-loadtest");
        root.put("resultVersion", 1);
        root.put("scenario", scenario.cli);
        root.put("startedAt", startedAt.toString());
        root.put("durationSeconds", round(durationSeconds));
        root.put("ok", ok);
        root.set("options", JSON.valueToTree(options.describe()));
        ObjectNode machine = root.putObject("loadGenerator");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.version"));
        machine.put("loadAverage", round(loadAverage()));
        ObjectNode summary = root.putObject("summary");
        for (Row r : rows) summary.set(r.name(), JSON.valueToTree(r.value()));
        root.set("latencyMs", distribution(metrics.latency));
        root.set("handshakeMs", distribution(metrics.handshake));
        root.set("refusals", JSON.valueToTree(Metrics.snapshot(metrics.refusals)));
        root.set("errors", JSON.valueToTree(Metrics.snapshot(metrics.errors)));
        ArrayNode hist = root.putArray("histogram");
        LatencyHistogram h = histogramShown();
        root.put("histogramOf", h == metrics.latency ? "latency" : "handshake");
        for (double[] b : h.buckets())
            hist.addObject().put("fromMs", b[0]).put("toMs", b[1]).put("count", (long) b[2]);
        ArrayNode series = root.putArray("timeSeries");
        for (Metrics.Sample s : metrics.series) {
            series.addObject()
                    .put("t", round(s.t()))
                    .put("connected", s.connected())
                    .put("deliveredPerSecond", round(s.deliveredPerSecond()))
                    .put("publishedPerSecond", round(s.publishedPerSecond()))
                    .put("p50Ms", round(s.p50Ms()))
                    .put("p99Ms", round(s.p99Ms()))
                    .put("errors", s.errors())
                    .put("heapMb", round(s.heapMb()));
        }
        ArrayNode n = root.putArray("notes");
        notes.forEach(n::add);
        return root;
    }

    /** The machine's 1-minute load average at the end of the run (-1 where the OS does not say). */
    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** End-to-end latency when the scenario delivered events, else the handshake times. */
    LatencyHistogram histogramShown() {
        return metrics.latency.count() > 0 ? metrics.latency : metrics.handshake;
    }

    static ObjectNode distribution(LatencyHistogram h) {
        ObjectNode o = JSON.createObjectNode();
        o.put("count", h.count());
        o.put("min", round(h.minMillis()));
        o.put("p50", round(h.percentileMillis(0.50)));
        o.put("p90", round(h.percentileMillis(0.90)));
        o.put("p99", round(h.percentileMillis(0.99)));
        o.put("max", round(h.maxMillis()));
        o.put("mean", round(h.meanMillis()));
        return o;
    }

    /** The summary table for the terminal. */
    String table() {
        List<String[]> lines = new ArrayList<>();
        for (Row r : rows)
            lines.add(new String[] {r.label(), format(r.value()) + (r.unit().isEmpty() ? "" : " " + r.unit())});
        addMap(lines, "refused", Metrics.snapshot(metrics.refusals));
        addMap(lines, "errors", Metrics.snapshot(metrics.errors));
        int w = 0;
        for (String[] l : lines) w = Math.max(w, l[0].length());
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%s against %s: %s in %.1f s%n",
                scenario.cli,
                options.url(),
                ok ? "OK" : "PROBLEMS",
                durationSeconds));
        String rule = "-".repeat(w + 2) + "+" + "-".repeat(24) + "\n";
        sb.append(rule);
        for (String[] l : lines) sb.append(String.format(Locale.ROOT, " %-" + w + "s | %s%n", l[0], l[1]));
        sb.append(rule);
        for (String note : notes) sb.append("note: ").append(note).append('\n');
        sb.append(String.format(
                Locale.ROOT,
                "load generator: %d cores, Java %s, load average %.1f%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                loadAverage()));
        return sb.toString();
    }

    private static void addMap(List<String[]> lines, String what, Map<String, Long> m) {
        m.forEach((k, v) -> lines.add(new String[] {what + " (" + k + ")", String.valueOf(v)}));
    }

    static String format(Object v) {
        if (v instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return String.format(Locale.ROOT, "%,d", d.longValue());
            return String.format(Locale.ROOT, "%,.2f", d);
        }
        if (v instanceof Long || v instanceof Integer)
            return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        return String.valueOf(v);
    }
}
