package com.pyerp.realtime.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import tools.jackson.databind.JsonNode;

/**
 * The HTML report: well-formed and self-contained (checked as XML), and rendered by headless Debian chromium through
 * client-js's playwright-core (the project's browser-test setup), with its plots visible and no request leaving the
 * file.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HtmlReportTest {

    @TempDir
    Path dir;

    /** A throughput result with a realistic latency spread and 30 samples. */
    static Result sample() throws Exception {
        LoadTestOptions o = LoadTestOptions.parse(
                List.of("throughput", "--url", "ws://127.0.0.1:9/local", "--token", "x", "--clients", "50"), Map.of());
        Metrics m = new Metrics();
        Random rnd = new Random(7);
        for (int s = 0; s < 30; s++) {
            m.connected.set(50);
            for (int i = 0; i < 200; i++) {
                m.latency((long) ((20 + Math.abs(rnd.nextGaussian()) * 15 + (i % 50 == 0 ? 300 : 0)) * 1e6));
                m.published.incrementAndGet();
            }
            if (s == 20) m.error("closed by the server: 1006");
            m.sample();
        }
        for (int i = 0; i < 50; i++) m.handshake.recordMicros(8_000 + i * 100);
        Result r = new Result(Scenario.THROUGHPUT, o, Instant.parse("2026-11-30T22:00:00Z"), 31.5, m);
        r.row("subscribers", "subscribers", 50, "").row("latencyP99Ms", "latency p99", 123.456, "ms");
        r.notes.add("a <note> & more");
        r.ok = false;
        return r;
    }

    @Test
    void report_shouldBeWellFormedAndSelfContained_withAHistogramAndTimeSeries() throws Exception {
        String html = HtmlReport.render(sample());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));

        assertThat(doc.getElementsByTagName("title").item(0).getTextContent())
                .isEqualTo("pyERP Realtime load test: throughput");
        NodeList svgs = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg");
        assertThat(svgs.getLength()).isEqualTo(6); // histogram + 5 series
        Element histogram = (Element) svgs.item(0);
        assertThat(histogram.getAttribute("class")).isEqualTo("histogram");
        assertThat(histogram.getElementsByTagNameNS("*", "rect").getLength()).isGreaterThan(5);
        assertThat(histogram.getTextContent()).contains("p50", "p99", "6000 values");
        NodeList lines = doc.getElementsByTagNameNS("*", "polyline");
        assertThat(lines.getLength()).isEqualTo(7); // connected; delivered+published; p50+p99; errors; heap
        assertThat(((Element) lines.item(0)).getAttribute("points").split(" ")).hasSize(30);

        assertThat(doc.getElementsByTagName("script").getLength())
                .as("no script")
                .isZero();
        assertThat(doc.getElementsByTagName("link").getLength())
                .as("no stylesheet link")
                .isZero();
        assertThat(doc.getElementsByTagName("img").getLength()).as("no image").isZero();
        assertThat(html).doesNotContain("src=").doesNotContain("href=");
        assertThat(html).contains("a &lt;note&gt; &amp; more").contains("PROBLEMS");
        assertThat(html).contains("error (closed by the server: 1006)");
    }

    @Test
    void report_shouldRenderInHeadlessChromium_withVisiblePlots() throws Exception {
        Path clientJs = Path.of(System.getenv().getOrDefault("CLIENT_JS_DIR", "../../client-js"))
                .toAbsolutePath()
                .normalize();
        assertThat(clientJs.resolve("node_modules/playwright-core"))
                .as("client-js's playwright-core (installed by the build: node client-js/scripts/ensure-deps.mjs)")
                .isDirectory();
        Path report = dir.resolve("report.html");
        Files.writeString(report, HtmlReport.render(sample()));
        Path screenshot = Path.of("target", "loadtest-report.png").toAbsolutePath();
        Path script = Path.of("src", "test", "node", "open-report.mjs").toAbsolutePath();

        Process p = new ProcessBuilder(
                        "node", script.toString(), clientJs.toString(), report.toString(), screenshot.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("node finished").isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        String last = out.lines().reduce((a, b) -> b).orElse("");
        JsonNode seen = Result.JSON.readTree(last);
        assertThat(seen.path("title").asString()).isEqualTo("pyERP Realtime load test: throughput");
        assertThat(seen.path("svgs").asInt()).isEqualTo(6);
        assertThat(seen.path("bars").asInt()).isGreaterThan(5);
        assertThat(seen.path("visibleBars").asInt()).isEqualTo(seen.path("bars").asInt());
        assertThat(seen.path("polylines").asInt()).isEqualTo(7);
        assertThat(seen.path("histogramWidth").asDouble()).isGreaterThan(500);
        assertThat(seen.path("histogramHeight").asDouble()).isGreaterThan(100);
        assertThat(seen.path("summaryRows").asInt()).isEqualTo(3); // two rows + the error
        assertThat(seen.path("errors")).as("page errors").isEmpty();
        assertThat(seen.path("requests")).as("requests leaving the file").isEmpty();
        assertThat(screenshot).exists();
    }
}
