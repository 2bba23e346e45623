package com.pyerp.realtime.infra;

import com.pyerp.realtime.core.config.RealtimeEnv;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Node;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CDK app: one {@link RealtimeGatewayStack} configured from CDK context (cdk.json, or {@code -c key=value}), with
 * cdk-nag's AwsSolutionsChecks applied, so an unsuppressed finding fails {@code cdk synth} as it fails the tests.
 *
 * <p>Run by the CDK CLI (cdk.json: {@code mvn -B -q -o compile exec:java}), or directly with the same command: without
 * the CLI it reads the context of {@code cdk.json} in the working directory itself and writes {@code cdk.out/}.
 * The context keys are listed in {@link #CONTEXT_KEYS} and the README.
 */
public final class RealtimeGatewayApp {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Context key to meaning (the README's table). */
    public static final Map<String, String> CONTEXT_KEYS = contextKeys();

    private RealtimeGatewayApp() {}

    public static void main(String[] args) throws IOException {
        AppProps.Builder ap = AppProps.builder();
        if (System.getenv("CDK_OUTDIR") == null) ap.outdir("cdk.out");
        if (System.getenv("CDK_CONTEXT_JSON") == null) ap.context(cdkJsonContext(Path.of("cdk.json")));
        App app = new App(ap.build());
        RealtimeGatewayStack stack = stack(app);
        Aspects.of(app)
                .add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        app.synth();
        System.err.println("synthesized " + stack.getStackName() + " (lambda jar "
                + stack.gateway().props().lambdaJar() + ")");
    }

    /** The stack this app deploys, configured from the app's context. */
    public static RealtimeGatewayStack stack(App app) {
        Node n = app.getNode();
        checkContextKeys(n);
        RealtimeGatewayProps.Builder b = RealtimeGatewayProps.builder()
                .jwtIssuer(text(n, "jwtIssuer"))
                .jwtAudience(text(n, "jwtAudience"))
                .jwksUrl(text(n, "jwksUrl"))
                .allowedOrigins(list(n, "allowedOrigins"));
        ifText(n, "stage", b::stageName);
        ifText(n, "jwtAlgorithms", v -> b.functionEnvironment(RealtimeEnv.Var.JWT_ALGORITHMS, v));
        ifText(n, "jwtTyp", v -> b.functionEnvironment(RealtimeEnv.Var.JWT_TYP, v));
        ifText(n, "jwksAllowHttp", v -> b.functionEnvironment(RealtimeEnv.Var.JWT_JWKS_ALLOW_HTTP, v));
        ifText(n, "lambdaJar", v -> b.lambdaJar(Path.of(v)));
        ifText(n, "connectionsTableName", b::connectionsTableName);
        ifText(n, "subscriptionsTableName", b::subscriptionsTableName);
        ifText(n, "eventBusName", b::eventBusName);
        ifText(n, "tableRemovalPolicy", v -> b.tableRemovalPolicy(removalPolicy(v)));
        ifText(n, "logRetentionDays", v -> b.logRetention(retention(v)));
        ifText(n, "apiGatewayCloudWatchRole", v -> b.apiGatewayCloudWatchRole(bool("apiGatewayCloudWatchRole", v)));

        // environment-agnostic: `cdk deploy` targets the account and region of the caller's AWS profile; no lookups are
        // used
        StackProps sp = StackProps.builder()
                .description("pyERP Realtime: WebSocket gateway, registry, event routing")
                .build();
        String stackName = text(n, "stackName", "PyerpRealtime");
        return new RealtimeGatewayStack(app, stackName, sp, b, text(n, "alarmEmail", null));
    }

    /** The {@code context} object of a cdk.json, or empty when the file is absent. */
    static Map<String, Object> cdkJsonContext(Path cdkJson) throws IOException {
        if (!Files.isRegularFile(cdkJson)) return Map.of();
        JsonNode ctx = JSON.readTree(Files.readString(cdkJson)).path("context");
        if (ctx.isMissingNode()) return Map.of();
        return JSON.convertValue(ctx, new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    /**
     * Rejects a misspelt key ({@code -c jwtIssure=...}): every plain camelCase context key must be one of ours. Keys
     * the CDK itself uses always contain ':', '/', '@' or '-' and are left alone.
     */
    private static void checkContextKeys(Node n) {
        if (!(n.getAllContext() instanceof Map<?, ?> all)) return;
        for (Object k : all.keySet()) {
            String key = k.toString();
            if (key.matches("[a-z][A-Za-z0-9]*") && !CONTEXT_KEYS.containsKey(key)) {
                throw new IllegalArgumentException(
                        "unknown context key '" + key + "'; known: " + CONTEXT_KEYS.keySet());
            }
        }
    }

    private static String text(Node n, String key) {
        String v = text(n, key, null);
        if (v == null) {
            throw new IllegalArgumentException("context '" + key + "' is required (" + CONTEXT_KEYS.get(key)
                    + "): set it in cdk.json or pass -c " + key + "=...");
        }
        return v;
    }

    private static String text(Node n, String key, String dflt) {
        Object v = n.tryGetContext(key);
        if (v == null) return dflt;
        String s = v.toString().trim();
        return s.isEmpty() ? dflt : s;
    }

    private static void ifText(Node n, String key, java.util.function.Consumer<String> set) {
        String v = text(n, key, null);
        if (v != null) set.accept(v);
    }

    private static List<String> list(Node n, String key) {
        Object v = n.tryGetContext(key);
        if (v == null) return List.of();
        if (v instanceof List<?> l)
            return l.stream()
                    .map(Object::toString)
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .toList();
        return Arrays.stream(v.toString().split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    static RemovalPolicy removalPolicy(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "destroy" -> RemovalPolicy.DESTROY;
            case "retain" -> RemovalPolicy.RETAIN;
            case "snapshot" -> RemovalPolicy.SNAPSHOT;
            default ->
                throw new IllegalArgumentException(
                        "tableRemovalPolicy must be destroy, retain or snapshot, got '" + v + "'");
        };
    }

    static RetentionDays retention(String v) {
        int days;
        try {
            days = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("logRetentionDays must be a number of days, got '" + v + "'");
        }
        return switch (days) {
            case 1 -> RetentionDays.ONE_DAY;
            case 3 -> RetentionDays.THREE_DAYS;
            case 5 -> RetentionDays.FIVE_DAYS;
            case 7 -> RetentionDays.ONE_WEEK;
            case 14 -> RetentionDays.TWO_WEEKS;
            case 30 -> RetentionDays.ONE_MONTH;
            case 60 -> RetentionDays.TWO_MONTHS;
            case 90 -> RetentionDays.THREE_MONTHS;
            case 180 -> RetentionDays.SIX_MONTHS;
            case 365 -> RetentionDays.ONE_YEAR;
            default ->
                throw new IllegalArgumentException(
                        "logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 180, 365; got " + days);
        };
    }

    private static boolean bool(String key, String v) {
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
    }

    private static Map<String, String> contextKeys() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("stackName", "CloudFormation stack name (default PyerpRealtime)");
        m.put("stage", "WebSocket stage (default " + RealtimeGatewayProps.DEFAULT_STAGE + ")");
        m.put("jwtIssuer", "required: the iss claim tokens must carry");
        m.put("jwtAudience", "required: the aud claim tokens must carry");
        m.put("jwksUrl", "required: the issuer's JWKS URL (https)");
        m.put("jwtAlgorithms", "optional: allowed JWS algorithms, comma-separated (default RS256,ES256)");
        m.put("jwtTyp", "optional: required typ header, e.g. at+jwt");
        m.put("jwksAllowHttp", "optional: true allows a plain-http jwksUrl (LocalStack only; default false)");
        m.put("allowedOrigins", "optional: exact browser origins allowed to connect (comma-separated or a JSON array)");
        m.put(
                "lambdaJar",
                "optional: path of the functions jar (default: this repository's functions/lambda/target jar)");
        m.put("connectionsTableName", "optional: physical name of the connections table (default: generated)");
        m.put("subscriptionsTableName", "optional: physical name of the subscriptions table (default: generated)");
        m.put("tableRemovalPolicy", "optional: destroy (default), retain or snapshot");
        m.put("eventBusName", "optional: the custom bus (default: the catalog's, erp-events)");
        m.put("logRetentionDays", "optional: retention of the function and access logs (default 30)");
        m.put("alarmEmail", "optional: e-mail address subscribed to the alarm topic");
        m.put(
                "apiGatewayCloudWatchRole",
                "optional: false when another stack owns the region's API Gateway logging role (default true)");
        return java.util.Collections.unmodifiableMap(m);
    }
}
