package com.pyerp.realtime.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The self-contained HTML report: summary table, latency histogram and time series as inline SVG (no script, no
 * external file, no CDN), written as well-formed XHTML so tools can read it too.
 */
final class HtmlReport {
    private static final int W = 760, H = 200, PAD_L = 60, PAD_R = 16, PAD_T = 14, PAD_B = 34;
    private static final String[] COLORS = {"#2563eb", "#dc2626", "#16a34a", "#9333ea"};

    private HtmlReport() {}

    static String render(Result r) {
        StringBuilder sb = new StringBuilder(32_768);
        sb.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>")
                .append(esc("pyERP Realtime load test: " + r.scenario.cli))
                .append("</title>\n<style>\n")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111;max-width:820px}\n")
                .append("h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}\n")
                .append("td.num{text-align:right;font-variant-numeric:tabular-nums}\n")
                .append(".ok{color:#16a34a;font-weight:bold}.bad{color:#dc2626;font-weight:bold}\n")
                .append(
                        "svg{background:#fafafa;border:1px solid #ddd;margin:6px 0}svg text{font:11px sans-serif;fill:#333}\n")
                .append(".legend span{display:inline-block;margin-right:14px}\n")
                .append("</style>\n</head>\n<body>\n");
        sb.append("<h1>pyERP Realtime load test: ").append(esc(r.scenario.cli)).append("</h1>\n");
        sb.append("<p>").append(esc(r.scenario.description)).append("</p>\n");
        sb.append("<p>Target <code>")
                .append(esc(r.options.url().toString()))
                .append("</code>, started ")
                .append(esc(r.startedAt.toString()))
                .append(", ")
                .append(fmt(r.durationSeconds))
                .append(" s. Result: <span class=\"")
                .append(r.ok ? "ok\">OK" : "bad\">PROBLEMS")
                .append("</span></p>\n");

        sb.append("<h2>Summary</h2>\n<table class=\"summary\">\n");
        for (Result.Row row : r.rows)
            sb.append("<tr><th>")
                    .append(esc(row.label()))
                    .append("</th><td class=\"num\">")
                    .append(esc(Result.format(row.value())))
                    .append(row.unit().isEmpty() ? "" : " " + esc(row.unit()))
                    .append("</td></tr>\n");
        for (Map.Entry<String, Long> e : Metrics.snapshot(r.metrics.refusals).entrySet())
            sb.append("<tr><th>refused (")
                    .append(esc(e.getKey()))
                    .append(")</th><td class=\"num\">")
                    .append(e.getValue())
                    .append("</td></tr>\n");
        for (Map.Entry<String, Long> e : Metrics.snapshot(r.metrics.errors).entrySet())
            sb.append("<tr><th>error (")
                    .append(esc(e.getKey()))
                    .append(")</th><td class=\"num\">")
                    .append(e.getValue())
                    .append("</td></tr>\n");
        sb.append("</table>\n");
        for (String n : r.notes) sb.append("<p class=\"note\">").append(esc(n)).append("</p>\n");

        LatencyHistogram h = r.histogramShown();
        String what = h == r.metrics.latency ? "End-to-end latency (PutEvents to receipt)" : "WebSocket handshake time";
        sb.append("<h2>").append(esc(what)).append(": histogram</h2>\n");
        sb.append(histogram(h));

        sb.append("<h2>Over time</h2>\n");
        List<Metrics.Sample> s = r.metrics.series;
        sb.append(chart("Connected clients", "", s, List.of(new Line("connected", Metrics.Sample::connected))));
        sb.append(chart(
                "Messages per second",
                "/s",
                s,
                List.of(
                        new Line("delivered to clients", Metrics.Sample::deliveredPerSecond),
                        new Line("published (PutEvents entries)", Metrics.Sample::publishedPerSecond))));
        if (r.metrics.latency.count() > 0)
            sb.append(chart(
                    "Latency per interval",
                    "ms",
                    s,
                    List.of(
                            new Line("p50", Metrics.Sample::p50Ms, true),
                            new Line("p99", Metrics.Sample::p99Ms, true))));
        sb.append(chart(
                "Errors and refusals (cumulative)",
                "",
                s,
                List.of(new Line("errors + refusals", Metrics.Sample::errors))));
        sb.append(chart("Load generator heap", "MB", s, List.of(new Line("heap used", Metrics.Sample::heapMb))));

        sb.append("<h2>Options</h2>\n<table class=\"options\">\n");
        r.options
                .describe()
                .forEach((k, v) -> sb.append("<tr><th>")
                        .append(esc(k))
                        .append("</th><td>")
                        .append(esc(String.valueOf(v)))
                        .append("</td></tr>\n"));
        sb.append("</table>\n<p>Load generator: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ")
                .append(esc(System.getProperty("java.version")))
                .append(", load average ")
                .append(fmt(Result.loadAverage()))
                .append(". Written by the pyERP Realtime load-test tool; the same figures are in result.json.</p>\n");
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    /** One plotted line; with {@code onlyPositive}, intervals without a value (no delivery) are left out. */
    record Line(String name, ToDoubleFunction<Metrics.Sample> value, boolean onlyPositive) {
        Line(String name, ToDoubleFunction<Metrics.Sample> value) {
            this(name, value, false);
        }
    }

    /** The histogram regrouped into at most 40 bars, log-spaced when the values span more than a factor of 20. */
    static String histogram(LatencyHistogram h) {
        List<double[]> buckets = h.buckets();
        StringBuilder sb = new StringBuilder();
        sb.append(svgOpen("histogram", "histogram of " + h.count() + " values"));
        if (buckets.isEmpty()) {
            sb.append(text(W / 2.0, H / 2.0, "middle", "no values")).append("</svg>\n");
            return sb.toString();
        }
        double lo = Math.max(0.001, buckets.get(0)[0]);
        double hi = Math.max(lo * 1.01, buckets.get(buckets.size() - 1)[1]);
        boolean log = hi / lo > 20;
        int bins = 40;
        long[] counts = new long[bins];
        for (double[] b : buckets) {
            double mid = Math.max(lo, (b[0] + b[1]) / 2);
            double f = log ? Math.log(mid / lo) / Math.log(hi / lo) : (mid - lo) / (hi - lo);
            counts[Math.min(bins - 1, Math.max(0, (int) (f * bins)))] += (long) b[2];
        }
        long max = 1;
        for (long c : counts) max = Math.max(max, c);
        double pw = W - PAD_L - PAD_R, ph = H - PAD_T - PAD_B, bw = pw / bins;
        for (int i = 0; i < bins; i++) {
            if (counts[i] == 0) continue;
            double bh = ph * counts[i] / max;
            double from = edge(lo, hi, log, (double) i / bins), to = edge(lo, hi, log, (double) (i + 1) / bins);
            sb.append(String.format(
                    Locale.ROOT,
                    "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s-%s ms: %d</title></rect>\n",
                    PAD_L + i * bw + 0.5,
                    PAD_T + ph - bh,
                    Math.max(1, bw - 1),
                    bh,
                    COLORS[0],
                    fmt(from),
                    fmt(to),
                    counts[i]));
        }
        for (double q : new double[] {0.5, 0.99}) {
            double v = h.percentileMillis(q);
            double f = log ? Math.log(Math.max(lo, v) / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo);
            double x = PAD_L + Math.max(0, Math.min(1, f)) * pw;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line class=\"marker\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"4 3\"/>\n",
                    x,
                    PAD_T,
                    x,
                    PAD_T + ph,
                    COLORS[1]));
            boolean nearRightEdge = x > W - PAD_R - 90;
            sb.append(text(
                    nearRightEdge ? x - 3 : x + 3,
                    PAD_T + (q == 0.5 ? 10 : 22),
                    nearRightEdge ? "end" : "start",
                    (q == 0.5 ? "p50 " : "p99 ") + fmt(v) + " ms"));
        }
        axes(sb, ph);
        for (int t = 0; t <= 4; t++) {
            double f = t / 4.0;
            sb.append(text(PAD_L + f * pw, H - PAD_B + 14, "middle", fmt(edge(lo, hi, log, f)) + " ms"));
        }
        sb.append(text(PAD_L - 6, PAD_T + 8, "end", String.valueOf(max)));
        sb.append(text(PAD_L - 6, PAD_T + ph, "end", "0"));
        sb.append(text(W / 2.0, H - 4, "middle", (log ? "log scale, " : "") + h.count() + " values"));
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static double edge(double lo, double hi, boolean log, double f) {
        return log ? lo * Math.pow(hi / lo, f) : lo + (hi - lo) * f;
    }

    static String chart(String title, String unit, List<Metrics.Sample> samples, List<Line> lines) {
        StringBuilder sb = new StringBuilder();
        sb.append("<h3>")
                .append(esc(title))
                .append(unit.isEmpty() ? "" : " (" + esc(unit) + ")")
                .append("</h3>\n");
        sb.append("<div class=\"legend\">");
        for (int i = 0; i < lines.size(); i++)
            sb.append("<span style=\"color:")
                    .append(COLORS[i % COLORS.length])
                    .append("\">&#9632; ")
                    .append(esc(lines.get(i).name()))
                    .append("</span>");
        sb.append("</div>\n");
        sb.append(svgOpen("series", title));
        double pw = W - PAD_L - PAD_R, ph = H - PAD_T - PAD_B;
        if (samples.isEmpty()) {
            sb.append(text(W / 2.0, H / 2.0, "middle", "no samples")).append("</svg>\n");
            return sb.toString();
        }
        double tMax = Math.max(1e-3, samples.get(samples.size() - 1).t());
        double yMax = 0;
        for (Line l : lines)
            for (Metrics.Sample s : samples) yMax = Math.max(yMax, l.value().applyAsDouble(s));
        yMax = yMax <= 0 ? 1 : yMax * 1.1;
        for (int i = 0; i < lines.size(); i++) {
            List<String> pts = new ArrayList<>();
            for (Metrics.Sample s : samples) {
                if (lines.get(i).onlyPositive() && lines.get(i).value().applyAsDouble(s) <= 0) continue;
                double x = PAD_L + s.t() / tMax * pw;
                double y = PAD_T + ph - lines.get(i).value().applyAsDouble(s) / yMax * ph;
                pts.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
            }
            sb.append("<polyline fill=\"none\" stroke-width=\"1.6\" stroke=\"")
                    .append(COLORS[i % COLORS.length])
                    .append("\" points=\"")
                    .append(String.join(" ", pts))
                    .append("\"><title>")
                    .append(esc(lines.get(i).name()))
                    .append("</title></polyline>\n");
        }
        axes(sb, ph);
        sb.append(text(PAD_L - 6, PAD_T + 8, "end", fmt(yMax)));
        sb.append(text(PAD_L - 6, PAD_T + ph, "end", "0"));
        sb.append(text(PAD_L, H - PAD_B + 14, "start", "0 s"));
        sb.append(text(W - PAD_R, H - PAD_B + 14, "end", fmt(tMax) + " s"));
        sb.append(text(W / 2.0, H - 4, "middle", "time since start (s)"));
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void axes(StringBuilder sb, double ph) {
        sb.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"#555\"/><line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#555\"/>\n",
                PAD_L,
                PAD_T,
                PAD_L,
                PAD_T + ph,
                PAD_L,
                PAD_T + ph,
                W - PAD_R,
                PAD_T + ph));
    }

    private static String svgOpen(String cls, String label) {
        return String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n",
                cls,
                W,
                H,
                W,
                H,
                esc(label));
    }

    private static String text(double x, double y, String anchor, String s) {
        return String.format(
                Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n", x, y, anchor, esc(s));
    }

    static String fmt(double d) {
        if (d >= 100) return String.format(Locale.ROOT, "%.0f", d);
        if (d >= 10) return String.format(Locale.ROOT, "%.1f", d);
        return String.format(Locale.ROOT, "%.2f", d);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
