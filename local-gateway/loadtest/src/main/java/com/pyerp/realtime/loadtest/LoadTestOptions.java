package com.pyerp.realtime.loadtest;

import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.Tenants;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What to run and against what, from the command line. {@link #parse} validates everything with a message that
 * names the option, and refuses loads over the AWS account limits unless {@code --ignore-account-limits}.
 */
record LoadTestOptions(
        Scenario scenario,
        URI url,
        String token,
        String tokenCommand,
        Path signingKey,
        String issuer,
        String audience,
        String tenant,
        List<String> roles,
        String origin,
        String bus,
        String region,
        int clients,
        double connectRate,
        double eventsPerSecond,
        Duration duration,
        int rounds,
        Duration drain,
        Duration sampleInterval,
        Duration connectTimeout,
        boolean ignoreAccountLimits,
        Path out,
        boolean progress) {

    /** API Gateway's account limit on new WebSocket connections per second (AWS). */
    static final int ACCOUNT_NEW_CONNECTIONS_PER_SECOND = 500;
    /** API Gateway's account throttle, shared by every PostToConnection (AWS). */
    static final int ACCOUNT_REQUESTS_PER_SECOND = 10_000;

    static final String CHANNEL = "system.broadcast";

    static LoadTestOptions parse(List<String> args, Map<String, String> env) throws UsageException {
        if (args.isEmpty()) throw new UsageException("missing the scenario (" + scenarioNames() + ")");
        Scenario scenario = Scenario.byName(args.get(0))
                .orElseThrow(
                        () -> new UsageException("unknown scenario '" + args.get(0) + "' (" + scenarioNames() + ")"));
        String url = null, token = null, tokenCommand = null, signingKey = null, origin = null, out = null;
        String issuer = "pyerp-local-gateway", audience = "pyerp-realtime", tenant = "loadtest";
        List<String> roles = List.of();
        String bus = EventCatalog.load().bus();
        String region = firstNonBlank(env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"), "us-east-1");
        int clients = switch (scenario) {
            case THROUGHPUT, SOAK -> 50;
            default -> 200;
        };
        double rate = 100;
        double eps = scenario == Scenario.SOAK ? 5 : 20;
        Duration duration = scenario == Scenario.SOAK ? Duration.ofHours(1) : Duration.ofSeconds(30);
        int rounds = 5;
        Duration drain = Duration.ofSeconds(10);
        Duration sample = scenario == Scenario.SOAK ? Duration.ofSeconds(10) : Duration.ofSeconds(1);
        Duration connectTimeout = Duration.ofSeconds(30);
        boolean ignoreLimits = false, progress = true;

        for (int i = 1; i < args.size(); i++) {
            String opt = args.get(i);
            switch (opt) {
                case "--url" -> url = value(args, ++i, opt);
                case "--token" -> token = value(args, ++i, opt);
                case "--token-command" -> tokenCommand = value(args, ++i, opt);
                case "--signing-key" -> signingKey = value(args, ++i, opt);
                case "--issuer" -> issuer = value(args, ++i, opt);
                case "--audience" -> audience = value(args, ++i, opt);
                case "--tenant" -> tenant = value(args, ++i, opt);
                case "--roles" -> roles = csv(value(args, ++i, opt));
                case "--origin" -> origin = value(args, ++i, opt);
                case "--bus" -> bus = value(args, ++i, opt);
                case "--region" -> region = value(args, ++i, opt);
                case "--clients" -> clients = (int) number(opt, value(args, ++i, opt), 1, 100_000);
                case "--rate" -> rate = number(opt, value(args, ++i, opt), 0.1, 100_000);
                case "--events-per-second" -> eps = number(opt, value(args, ++i, opt), 0.01, 100_000);
                case "--duration" -> duration = seconds(opt, value(args, ++i, opt), 1, 48 * 3600);
                case "--rounds" -> rounds = (int) number(opt, value(args, ++i, opt), 1, 1000);
                case "--drain" -> drain = seconds(opt, value(args, ++i, opt), 0, 600);
                case "--sample-interval" -> sample = seconds(opt, value(args, ++i, opt), 0.1, 3600);
                case "--connect-timeout" -> connectTimeout = seconds(opt, value(args, ++i, opt), 1, 600);
                case "--ignore-account-limits" -> ignoreLimits = true;
                case "--out" -> out = value(args, ++i, opt);
                case "--no-progress" -> progress = false;
                default -> throw new UsageException("unknown option '" + opt + "'");
            }
        }

        if (url == null)
            throw new UsageException(
                    "--url is required: the WebSocket URL, e.g. ws://localhost:8080/local or the stack output wss://{api}.execute-api.{region}.amazonaws.com/{stage}");
        URI uri = webSocketUrl(url);
        int sources = (token != null ? 1 : 0) + (tokenCommand != null ? 1 : 0) + (signingKey != null ? 1 : 0);
        if (sources == 0)
            throw new UsageException(
                    "a token source is required: --token JWT, --token-command CMD or --signing-key FILE (the local gateway's is ~/.pyerp-realtime/dev-signing-key.jwk)");
        if (sources > 1) throw new UsageException("give only one of --token, --token-command and --signing-key");
        if (!Tenants.isValid(tenant))
            throw new UsageException("--tenant must be " + Tenants.RULE + ", got '" + tenant + "'");
        if (!bus.matches("[A-Za-z0-9._/-]{1,256}")) throw new UsageException("--bus is not an event bus name: " + bus);

        if (!ignoreLimits) {
            if (rate > ACCOUNT_NEW_CONNECTIONS_PER_SECOND)
                throw new UsageException(String.format(
                        Locale.ROOT,
                        "--rate %.0f new connections/s is over API Gateway's account limit of %d/s; pass --ignore-account-limits only for an account of your own or the local gateway",
                        rate,
                        ACCOUNT_NEW_CONNECTIONS_PER_SECOND));
            if ((scenario == Scenario.THROUGHPUT || scenario == Scenario.SOAK)
                    && eps * clients > ACCOUNT_REQUESTS_PER_SECOND)
                throw new UsageException(String.format(
                        Locale.ROOT,
                        "--events-per-second %.1f x --clients %d = %.0f PostToConnection/s is over API Gateway's account throttle of %d requests/s; lower one of them or pass --ignore-account-limits",
                        eps,
                        clients,
                        eps * clients,
                        ACCOUNT_REQUESTS_PER_SECOND));
        }
        Path outDir = out != null
                ? Path.of(out)
                : Path.of(
                        "loadtest-results",
                        scenario.cli + "-"
                                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                                        .withZone(ZoneOffset.UTC)
                                        .format(Instant.now()));
        return new LoadTestOptions(
                scenario,
                uri,
                token,
                tokenCommand,
                signingKey == null ? null : Path.of(expandHome(signingKey)),
                issuer,
                audience,
                tenant,
                roles,
                origin,
                bus,
                region,
                clients,
                rate,
                eps,
                duration,
                rounds,
                drain,
                sample,
                connectTimeout,
                ignoreLimits,
                outDir,
                progress);
    }

    static URI webSocketUrl(String url) throws UsageException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new UsageException("--url is not a URL: '" + url + "' (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss"))
            throw new UsageException("--url must start with ws:// or wss://, got '" + url + "'");
        if (uri.getHost() == null || uri.getHost().isBlank())
            throw new UsageException("--url has no host: '" + url + "'");
        if (uri.getRawQuery() != null && uri.getRawQuery().contains("token="))
            throw new UsageException(
                    "--url must not carry a token (it would end up in reports): use --token or --token-command");
        return uri;
    }

    /** The options as they go into the JSON result (no token). */
    Map<String, Object> describe() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("url", url.toString());
        m.put(
                "tokenSource",
                token != null ? "--token" : tokenCommand != null ? "--token-command" : "--signing-key " + signingKey);
        m.put("tenant", tenant);
        m.put("channel", CHANNEL);
        m.put("bus", bus);
        m.put("region", region);
        m.put("clients", clients);
        m.put("connectRate", connectRate);
        if (scenario == Scenario.THROUGHPUT || scenario == Scenario.SOAK) {
            m.put("eventsPerSecond", eventsPerSecond);
            m.put("durationSeconds", duration.toMillis() / 1000.0);
        }
        if (scenario == Scenario.FANOUT) m.put("rounds", rounds);
        m.put("accountLimits", ignoreAccountLimits ? "ignored" : "respected");
        return m;
    }

    private static String scenarioNames() {
        return String.join(
                ", ", Arrays.stream(Scenario.values()).map(s -> s.cli).toList());
    }

    private static String value(List<String> a, int i, String opt) throws UsageException {
        if (i >= a.size() || a.get(i).startsWith("--")) throw new UsageException(opt + " needs a value");
        return a.get(i);
    }

    private static double number(String opt, String v, double min, double max) throws UsageException {
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException(opt + " needs a number, got '" + v + "'");
        }
        if (!(d >= min && d <= max))
            throw new UsageException(opt + " must be between " + fmt(min) + " and " + fmt(max) + ", got " + v);
        return d;
    }

    private static Duration seconds(String opt, String v, double min, double max) throws UsageException {
        return Duration.ofMillis(Math.round(number(opt, v, min, max) * 1000));
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static List<String> csv(String s) {
        List<String> out = new ArrayList<>();
        for (String p : s.split(",")) if (!p.isBlank()) out.add(p.trim());
        return List.copyOf(out);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v;
        return null;
    }

    private static String expandHome(String p) {
        return p.startsWith("~/") ? System.getProperty("user.home") + p.substring(1) : p;
    }
}
