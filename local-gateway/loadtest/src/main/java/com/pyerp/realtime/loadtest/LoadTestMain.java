package com.pyerp.realtime.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The load-test tool's command line. Exit codes: 0 the run completed (see "ok" in the result for losses and errors),
 * 1 the target refused or could not be reached, 2 bad arguments.
 */
public final class LoadTestMain {
    static final String USAGE = """
            pyERP Realtime load test: real WebSocket clients and EventBridge PutEvents against any deployment
            (the local gateway, LocalStack, a stack in AWS). Writes a summary table, result.json and report.html.

            Usage:
              java -jar local-gateway/loadtest/target/realtime-loadtest-all.jar SCENARIO --url WS_URL TOKEN_SOURCE [options]

            Scenarios:
              connect-storm            N clients connect at --rate: handshake p50/p99, refusals by status
              fanout                   one event to N subscribers, --rounds times: time to first/last receipt, losses
              throughput               --events-per-second for --duration to N subscribers: latency p50/p90/p99/max,
                                       losses, duplicates
              reconnect-storm          N subscribed clients drop at once and come back (paced at --rate, retrying
                                       refusals with backoff): time until all resubscribed, losses
              soak                     throughput for hours (default 1 h), clients reconnect when dropped: latency,
                                       errors, reconnects and memory over time

            Target:
              --url URL                the WebSocket URL: ws://localhost:8080/local, or the stack's output
                                       wss://{api}.execute-api.{region}.amazonaws.com/{stage} (required)
              --token JWT              one token for every client, or
              --token-command CMD      a shell command printing a token; run once, or once per client if it
                                       contains {i} (the client's number), or
              --signing-key FILE       a private JWK (ES256/RS256) whose public key the target's JWKS holds; mints
                                       one token per client (sub loadtest-<i>). The local gateway's development
                                       key is ~/.pyerp-realtime/dev-signing-key.jwk
              --issuer ISS             iss of minted tokens (default pyerp-local-gateway)
              --audience AUD           aud of minted tokens (default pyerp-realtime)
              --tenant T               the tenant of minted tokens and of the published events (default loadtest);
                                       the clients subscribe to system.broadcast, so use a tenant nobody else is on
              --roles R1,R2            roles of minted tokens (default none; system.broadcast needs none)
              --origin URL             send this Origin header (default none)
              --bus NAME               the EventBridge bus (default erp-events, from the catalog)
              --region R               AWS region for PutEvents (default AWS_REGION, else us-east-1)
              PutEvents goes through the AWS SDK: endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE or AWS_ENDPOINT_URL
              (e.g. http://localhost:8080 for the local gateway), credentials from the SDK's default chain (for a
              loopback endpoint without credentials, dummy ones: the local gateway does not check them).

            Load:
              --clients N              WebSocket clients (default 200; throughput and soak 50)
              --rate R                 new connections per second (default 100)
              --events-per-second E    throughput and soak (default 20; soak 5)
              --duration SECONDS       throughput and soak (default 30; soak 3600)
              --rounds N               fanout: events, one after the other (default 5)
              --drain SECONDS          wait for stragglers after publishing (default 10)
              --sample-interval S      time-series resolution (default 1; soak 10)
              --connect-timeout S      per handshake and subscription (default 30)
              --ignore-account-limits  allow more than API Gateway's account limits, 500 new connections/s and
                                       10,000 requests/s (events/s x clients); only for an account of your own or
                                       the local gateway

            Output:
              --out DIR                where result.json and report.html go (default loadtest-results/SCENARIO-TIME)
              --no-progress            no live progress line (it goes to stderr)
              -h, --help               this help

            Exit codes: 0 the run completed (result.json "ok" says whether anything was lost or failed),
            1 the target refused or could not be reached, 2 bad arguments.
            """;

    private LoadTestMain() {}

    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.out, System.err);
        System.exit(code);
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        List<String> a = Arrays.asList(args);
        if (a.contains("-h") || a.contains("--help")) {
            out.print(USAGE);
            return 0;
        }
        LoadTestOptions options;
        try {
            options = LoadTestOptions.parse(a, env);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println("Run with --help for the options.");
            return 2;
        }
        try {
            Result result = new LoadTest(options, env, err).run();
            var json = result.toJson();
            json.put("command", LoadTest.command(a));
            Files.createDirectories(options.out());
            Path jsonFile = options.out().resolve("result.json");
            Path htmlFile = options.out().resolve("report.html");
            Files.writeString(
                    jsonFile,
                    Result.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n",
                    StandardCharsets.UTF_8);
            Files.writeString(htmlFile, HtmlReport.render(result), StandardCharsets.UTF_8);
            out.print(result.table());
            out.println("result: " + jsonFile);
            out.println("report: " + htmlFile);
            return 0;
        } catch (TargetException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("error: cannot write the results to " + options.out() + ": " + e.getMessage());
            return 1;
        }
    }
}
