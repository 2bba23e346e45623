package com.pyerp.realtime.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.local.LocalGateway;
import com.pyerp.realtime.local.TestGateways;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The tool end to end: every scenario briefly against an in-process local gateway (port 0, loopback), checked through
 * its JSON result; and its clear errors for a missing option, a bad URL, a refused token and an unreachable target.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LoadTestToolTest {
    private static LocalGateway gw;
    private static Path keyFile;

    @TempDir
    Path out;

    @BeforeAll
    static void startGateway(@TempDir Path dir) throws Exception {
        JsonLog.setSink(line -> {}); // the gateway's per-request logs are not what these tests look at
        keyFile = dir.resolve("dev-signing-key.jwk");
        gw = TestGateways.start(keyFile);
    }

    @AfterAll
    static void stopGateway() {
        if (gw != null) gw.close();
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    /** Runs the tool in-process: exit code, stdout, stderr. */
    record Run(int code, String out, String err) {}

    private static Run tool(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = LoadTestMain.run(
                args,
                Map.of("AWS_ENDPOINT_URL_EVENTBRIDGE", gw.eventBridgeUrl(), "AWS_REGION", "us-east-1"),
                new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    private JsonNode scenario(String scenario, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                scenario,
                "--url",
                gw.webSocketUrl(),
                "--signing-key",
                keyFile.toString(),
                "--out",
                out.toString(),
                "--no-progress"));
        args.addAll(List.of(extra));
        Run r = tool(args.toArray(String[]::new));
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains(scenario + " against " + gw.webSocketUrl()).contains("report: ");
        assertThat(out.resolve("report.html")).exists();
        JsonNode json = Result.JSON.readTree(Files.readString(out.resolve("result.json")));
        assertThat(json.path("scenario").asString()).isEqualTo(scenario);
        assertThat(json.path("timeSeries").size()).as("time series").isPositive();
        assertThat(json.path("histogram").size()).as("histogram").isPositive();
        return json;
    }

    @Test
    void connectStorm_shouldConnectEveryClient_andReportHandshakeTimes() throws Exception {
        JsonNode r = scenario("connect-storm", "--clients", "30", "--rate", "200");
        assertThat(r.path("summary").path("connected").asInt()).isEqualTo(30);
        assertThat(r.path("summary").path("refused").asLong()).isZero();
        assertThat(r.path("handshakeMs").path("count").asLong()).isEqualTo(30);
        assertThat(r.path("handshakeMs").path("p99").asDouble())
                .isGreaterThanOrEqualTo(r.path("handshakeMs").path("p50").asDouble())
                .isPositive();
        assertThat(r.path("histogramOf").asString()).isEqualTo("handshake");
        assertThat(r.path("ok").asBoolean()).isTrue();
    }

    @Test
    void connectStorm_shouldCountRefusalsByStatus() throws Exception {
        // client 0 (the preflight) gets a valid token from the command, every other client a bad one: 401
        Path valid = out.resolve("valid.jwt");
        Files.writeString(
                valid, gw.mintToken("storm", "loadtest", List.of(), List.of(), java.time.Duration.ofHours(1)));
        List<String> args = new ArrayList<>(List.of(
                "connect-storm",
                "--url",
                gw.webSocketUrl(),
                "--token-command",
                "if [ {i} -eq 0 ]; then cat '" + valid + "'; else echo not-a-jwt; fi",
                "--clients",
                "12",
                "--rate",
                "100",
                "--out",
                out.toString(),
                "--no-progress"));
        Run run = tool(args.toArray(String[]::new));
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode r = Result.JSON.readTree(Files.readString(out.resolve("result.json")));
        assertThat(r.path("refusals").path("HTTP 401").asLong()).isEqualTo(11);
        assertThat(r.path("summary").path("connected").asInt()).isEqualTo(1);
        assertThat(r.path("ok").asBoolean()).isFalse();
        assertThat(run.out()).contains("refused (HTTP 401)");
    }

    @Test
    void fanout_shouldReachEverySubscriberInEveryRound() throws Exception {
        JsonNode r = scenario("fanout", "--clients", "20", "--rounds", "3");
        JsonNode s = r.path("summary");
        assertThat(s.path("roundsComplete").asInt()).isEqualTo(3);
        assertThat(s.path("lost").asLong()).isZero();
        assertThat(s.path("duplicates").asLong()).isZero();
        assertThat(r.path("latencyMs").path("count").asLong()).isEqualTo(60);
        assertThat(s.path("timeToLastP50Ms").asDouble())
                .isGreaterThanOrEqualTo(s.path("timeToFirstP50Ms").asDouble())
                .isPositive();
        assertThat(r.path("ok").asBoolean()).isTrue();
    }

    @Test
    void throughput_shouldDeliverEveryEventToEverySubscriber_withLatencies() throws Exception {
        JsonNode r = scenario(
                "throughput", "--clients", "10", "--events-per-second", "20", "--duration", "3", "--drain", "10");
        JsonNode s = r.path("summary");
        long published = s.path("published").asLong();
        assertThat(published).isEqualTo(60); // 20/s for 3 s
        assertThat(s.path("expected").asLong()).isEqualTo(published * 10);
        assertThat(s.path("delivered").asLong()).isEqualTo(published * 10);
        assertThat(s.path("lost").asLong()).isZero();
        assertThat(s.path("duplicates").asLong()).isZero();
        assertThat(r.path("latencyMs").path("count").asLong()).isEqualTo(published * 10);
        assertThat(r.path("latencyMs").path("p99").asDouble())
                .isGreaterThanOrEqualTo(r.path("latencyMs").path("p50").asDouble());
        assertThat(r.path("histogramOf").asString()).isEqualTo("latency");
        assertThat(r.path("ok").asBoolean()).isTrue();
    }

    @Test
    void reconnectStorm_shouldBringEveryClientBack_andDeliverTheNextEventToAll() throws Exception {
        JsonNode r = scenario("reconnect-storm", "--clients", "20", "--rate", "200");
        JsonNode s = r.path("summary");
        assertThat(s.path("resubscribed").asInt()).isEqualTo(20);
        assertThat(s.path("receivedAfter").asInt()).isEqualTo(20);
        assertThat(s.path("lost").asLong()).isZero();
        assertThat(s.path("allResubscribedMs").asDouble()).isPositive();
        assertThat(r.path("ok").asBoolean()).isTrue();
    }

    @Test
    void soak_shouldSampleTheTimeSeries_includingMemory() throws Exception {
        JsonNode r = scenario(
                "soak",
                "--clients",
                "5",
                "--events-per-second",
                "5",
                "--duration",
                "3",
                "--sample-interval",
                "0.5",
                "--drain",
                "10");
        assertThat(r.path("timeSeries").size()).isGreaterThanOrEqualTo(5);
        assertThat(r.path("timeSeries").get(0).path("heapMb").asDouble()).isPositive();
        assertThat(r.path("summary").path("heapMaxMb").asDouble()).isPositive();
        assertThat(r.path("summary").path("lost").asLong()).isZero();
        assertThat(r.path("summary").path("reconnects").asLong()).isZero();
    }

    @Test
    void progress_shouldBePrintedToStderr_endingWithAFinalLine() {
        Run r = tool(
                "connect-storm",
                "--url",
                gw.webSocketUrl(),
                "--signing-key",
                keyFile.toString(),
                "--clients",
                "3",
                "--out",
                out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err().lines().reduce((a, b) -> b).orElse(""))
                .matches(
                        "\\[connect-storm +[0-9.]+s\\] connected [0-9]+/3  subscribed 0  published 0  delivered 0 .*errors 0");
        assertThat(r.out()).doesNotContain("[connect-storm ");
    }

    @Test
    void help_shouldListTheScenariosAndExitZero() {
        Run r = tool("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("connect-storm", "fanout", "throughput", "reconnect-storm", "soak", "--url", "--signing-key");
    }

    @Test
    void missingUrl_shouldBeAUsageError() {
        Run r = tool("throughput", "--token", "x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("error: --url is required").contains("--help");
    }

    @Test
    void missingTokenSource_shouldSayWhichOptionsExist() {
        Run r = tool("fanout", "--url", gw.webSocketUrl());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("a token source is required: --token JWT, --token-command CMD or --signing-key");
    }

    @Test
    void missingScenario_andUnknownOption_shouldBeUsageErrors() {
        assertThat(tool().err()).contains("missing the scenario");
        Run r = tool("fanout", "--url", gw.webSocketUrl(), "--token", "x", "--colour", "red");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown option '--colour'");
    }

    @Test
    void badUrl_shouldBeRefusedBeforeConnecting() {
        Run http = tool("fanout", "--url", "http://localhost:8080/local", "--token", "x");
        assertThat(http.code()).isEqualTo(2);
        assertThat(http.err()).contains("--url must start with ws:// or wss://");
        Run garbage = tool("fanout", "--url", "ws://bad host/local", "--token", "x");
        assertThat(garbage.code()).isEqualTo(2);
        assertThat(garbage.err()).contains("--url is not a URL");
        Run tokenInUrl = tool("fanout", "--url", gw.webSocketUrl() + "?token=abc", "--token", "x");
        assertThat(tokenInUrl.err()).contains("must not carry a token");
    }

    @Test
    void overTheAccountLimits_shouldBeRefusedUnlessToldOtherwise() throws Exception {
        Run rate = tool("connect-storm", "--url", gw.webSocketUrl(), "--token", "x", "--rate", "600");
        assertThat(rate.code()).isEqualTo(2);
        assertThat(rate.err()).contains("over API Gateway's account limit of 500/s", "--ignore-account-limits");
        Run rps = tool(
                "throughput",
                "--url",
                gw.webSocketUrl(),
                "--token",
                "x",
                "--clients",
                "1000",
                "--events-per-second",
                "20");
        assertThat(rps.code()).isEqualTo(2);
        assertThat(rps.err()).contains("20000 PostToConnection/s is over API Gateway's account throttle of 10000");
        assertThat(LoadTestOptions.parse(
                                List.of(
                                        "connect-storm",
                                        "--url",
                                        gw.webSocketUrl(),
                                        "--token",
                                        "x",
                                        "--rate",
                                        "600",
                                        "--ignore-account-limits"),
                                Map.of())
                        .connectRate())
                .isEqualTo(600);
    }

    @Test
    void refusedToken_shouldSaySoAndExitOne() {
        Run r = tool(
                "fanout", "--url", gw.webSocketUrl(), "--token", "not-a-jwt", "--no-progress", "--out", out.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error: the gateway refused the token (HTTP 401 Unauthorized)");
        assertThat(out.resolve("result.json")).doesNotExist();
    }

    @Test
    void wrongStage_shouldNameThePath() {
        String url = gw.webSocketUrl().replaceFirst("/[^/]+$", "/nostage");
        Run r = tool(
                "connect-storm",
                "--url",
                url,
                "--signing-key",
                keyFile.toString(),
                "--no-progress",
                "--out",
                out.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("HTTP 404").contains("check the stage");
    }

    @Test
    void unreachableTarget_shouldSayConnectionRefused() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run r = tool(
                "connect-storm",
                "--url",
                "ws://127.0.0.1:" + closedPort + "/local",
                "--token",
                "x",
                "--no-progress",
                "--out",
                out.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot connect to ws://127.0.0.1:" + closedPort + "/local: connection refused");
    }

    @Test
    void failingTokenCommand_shouldQuoteItsError() {
        Run r = tool(
                "fanout",
                "--url",
                gw.webSocketUrl(),
                "--token-command",
                "echo 'no session, run login' >&2; exit 3",
                "--no-progress",
                "--out",
                out.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("--token-command failed with exit code 3: no session, run login");
    }
}
