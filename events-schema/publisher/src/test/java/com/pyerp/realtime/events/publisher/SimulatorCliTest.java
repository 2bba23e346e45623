package com.pyerp.realtime.events.publisher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class SimulatorCliTest {
    private FakeEventBridge bus;

    @BeforeEach
    void start() throws Exception {
        bus = new FakeEventBridge();
    }

    @AfterEach
    void stop() {
        bus.close();
    }

    private record Run(int status, String out, String err) {}

    private static Run cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Simulator.cli(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env,
                false);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void help() {
        Run r = cli(Map.of(), "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out())
                .startsWith("Usage: java -jar realtime-events-publisher-all.jar [options]")
                .contains("--rate N", "--duration D", "--events A,B");
        assertThat(cli(Map.of(), "-h").out()).isEqualTo(r.out());
    }

    @Test
    void list_showsEveryCatalogEvent() {
        Run r = cli(Map.of(), "--list");
        assertThat(r.status()).isZero();
        assertThat(r.out().lines())
                .hasSize(com.pyerp.realtime.events.EventCatalog.load().events().size());
        assertThat(r.out()).contains("kpi-updated", "pyerp.production", "KpiUpdated");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--rate abc                 | --rate must be a number, got 'abc'",
                "--rate 0                   | rate must be in (0, 10000] events per second, got 0.0",
                "--rate                     | --rate needs a value",
                "--duration 5x              | --duration must look like 90, 90s, 2m, 1h or 500ms, got '5x'",
                "--duration 2d              | --duration must look like 90, 90s, 2m, 1h or 500ms, got '2d'",
                "--duration 25h             | --duration must be more than 0 and at most 1 day, got '25h'",
                "--count -3                 | maxEvents must be positive, got -3",
                "--seed x                   | --seed must be a whole number, got 'x'",
                "--events nope              | unknown event nope; the catalog has: stock-level-changed",
                "--tenant a.b               | tenant must be 1-64 characters [A-Za-z0-9_-], got 'a.b'",
                "--endpoint ftp://x         | endpoint must be an http(s) URL such as http://localhost:8080, got 'ftp://x'",
                "--frobnicate               | unknown option --frobnicate",
                "fast                       | unexpected argument 'fast'",
                "--quiet=yes                | --quiet takes no value",
                "--aws --endpoint http://x  | --aws and --endpoint exclude each other",
                "--rate 1 --rate 2          | --rate given twice"
            })
    void badArguments_exitWith2_andSayWhy(String args, String message) {
        Run r = cli(Map.of(), args.trim().split("\\s+"));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("simulator: " + message.trim()).contains("Try --help.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void run_sendsEvents_andPrintsASummary() {
        Run r = cli(
                Map.of(),
                "--endpoint",
                bus.endpoint(),
                "--rate",
                "200",
                "--count",
                "40",
                "--seed",
                "9",
                "--tenant",
                "acme",
                "--events",
                "stock-level-changed,kpi-updated");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out())
                .startsWith("sent 40 of 40 events in 00:00 (rejected 0, failed 0)")
                .contains("stock-level-changed", "kpi-updated");
        assertThat(r.err())
                .contains("simulator: 40 events at 200/s to " + bus.endpoint() + " (bus erp-events)")
                .contains("40/40 events  sent 40  rejected 0  failed 0");
        assertThat(bus.entries())
                .hasSize(40)
                .allSatisfy(e -> assertThat(e.path("DetailType").asString()).isIn("StockLevelChanged", "KpiUpdated"));
        assertThat(bus.entries().get(0).path("Detail").asString()).contains("\"producer\":\"pyerp-simulator\"");
    }

    @Test
    void endpoint_defaultsToTheEnvironmentVariable() {
        Run r = cli(Map.of("AWS_ENDPOINT_URL_EVENTBRIDGE", bus.endpoint()), "--count", "3", "--rate", "100", "--quiet");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(bus.entries()).hasSize(3);
        assertThat(r.err()).doesNotContain("events  sent");
    }

    @Test
    void unreachableEndpoint_exitsWith1_andSaysSo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = cli(Map.of(), "--endpoint", "http://127.0.0.1:" + port, "--count", "5", "--rate", "100");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).startsWith("sent 0 of 1 events");
        assertThat(r.err()).contains("simulator: stopped early: cannot publish to http://127.0.0.1:" + port);
    }
}
