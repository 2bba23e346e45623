package com.pyerp.realtime.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The environment-variable contract of the Lambda functions: the one definition that the CDK stack
 * writes, the local gateway fills in, and the handlers read. Add a variable here, nowhere else.
 *
 * <p>Build one for a deployment with {@link #builder()} and {@link #toMap()}; read one in a handler with
 * {@link #fromSystem()} or {@link #from(Map)}. {@link #from(Map)} validates and names every problem at once.
 */
public final class RealtimeEnv {

    /** Every variable, with whether it is required and its default. */
    public enum Var {
        CONNECTIONS_TABLE(
                true, null, "DynamoDB table of connections (see functions/README-registry.md#registry-tables)"),
        SUBSCRIPTIONS_TABLE(true, null, "DynamoDB table of channel subscriptions, with the byChannel index"),
        HISTORY_TABLE(
                false,
                "pyerp-realtime-history",
                "DynamoDB table of channel history: offsets, epochs and kept events for recovery (docs/protocol.md);"
                        + " the CDK stack always sets it"),
        JWT_ISSUER(true, null, "expected iss claim"),
        JWT_AUDIENCE(true, null, "expected aud claim"),
        JWT_JWKS_URL(true, null, "URL of the issuer's JWKS (https in the cloud)"),
        JWT_ALGORITHMS(
                false,
                "RS256,ES256",
                "allowed JWS algorithms; only RS256, RS384, RS512, ES256, ES384, PS256 are accepted"),
        JWT_TYP(false, "", "required typ header (e.g. at+jwt); empty = not checked"),
        JWT_CLOCK_SKEW_SECONDS(false, "30", "tolerance on exp and nbf"),
        ALLOWED_ORIGINS(
                false,
                "",
                "exact Origin values allowed to connect, comma-separated; a request without Origin (not a browser) is allowed"),
        CONNECTION_TTL_SECONDS(
                false, "7500", "how long a connection is kept without $disconnect: API Gateway's 2 h limit plus 5 min"),
        MAX_SUBSCRIPTIONS_PER_CONNECTION(false, "100", "subscriptions one connection may hold"),
        DISPATCH_CONCURRENCY(
                false,
                "256",
                "most PostToConnection calls in flight at once in one dispatcher invocation (the adaptive limit's ceiling)"),
        DEDUP_WINDOW_SECONDS(false, "600", "how long the dispatcher remembers delivered EventBridge event ids"),
        AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI(
                true, null, "the @connections endpoint: https://{api-id}.execute-api.{region}.amazonaws.com/{stage}"),
        AWS_ENDPOINT_URL_DYNAMODB(
                false, "", "DynamoDB endpoint override (dynalite, LocalStack); empty = the region's endpoint"),
        AWS_REGION(false, "eu-central-1", "AWS region; Lambda always sets it"),
        LOG_LEVEL(false, "INFO", "INFO, or DEBUG for more lines (read by JsonLog)"),
        JWT_MAX_TOKEN_AGE_SECONDS(
                false, "0", "maximum token age and lifetime (now - iat, exp - iat); iat is then required; 0 = off"),
        JWKS_OUTAGE_TOLERANCE_SECONDS(
                false, "3600", "how long the last good JWKS keeps serving while the issuer's JWKS cannot be fetched"),
        RATE_LIMIT_PER_SECOND(false, "10", "frames one connection may send per second (token bucket refill)"),
        RATE_LIMIT_BURST(false, "20", "frames one connection may send at once (token bucket size)"),
        RATE_LIMIT_STRIKES(
                false, "10", "frames answered RATE_LIMITED in a row before the socket is closed (RATE_LIMIT_ABUSE)"),
        MAX_CONNECTIONS_PER_USER(false, "20", "concurrent connections one user of one tenant may hold"),
        JWT_JWKS_ALLOW_HTTP(
                false,
                "false",
                "true allows a plain-http JWKS URL to a non-loopback host (LocalStack only); otherwise https is required"),
        FANOUT_QUEUE_URL(
                false,
                "",
                "SQS queue of fan-out page tasks (scatter of channels larger than a page); empty = no scatter"),
        FANOUT_PAGE_SIZE(false, "1000", "subscribers per fan-out page (FanOutPages.PAGE_SIZE)");

        private final boolean required;
        private final String defaultValue;
        private final String description;

        Var(boolean required, String defaultValue, String description) {
            this.required = required;
            this.defaultValue = defaultValue;
            this.description = description;
        }

        public boolean required() {
            return required;
        }

        public Optional<String> defaultValue() {
            return Optional.ofNullable(defaultValue);
        }

        public String description() {
            return description;
        }
    }

    /** JWS algorithms that may ever be configured: asymmetric only (never HS* with a JWKS, RFC 8725). */
    public static final Set<String> PERMITTED_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "PS256");

    /**
     * The variables whose values belong to one deployment (its tables, identity provider, origins, endpoints, region).
     * Every other variable must have the same value in the CDK stack and in the local gateway: both leave it to its
     * default unless configured (infra-cdk LocalGatewayEnvironmentParityTest compares them variable by variable).
     */
    public static final Set<Var> PER_DEPLOYMENT = Set.of(
            Var.CONNECTIONS_TABLE,
            Var.SUBSCRIPTIONS_TABLE,
            Var.HISTORY_TABLE,
            Var.JWT_ISSUER,
            Var.JWT_AUDIENCE,
            Var.JWT_JWKS_URL,
            Var.ALLOWED_ORIGINS,
            Var.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI,
            Var.AWS_ENDPOINT_URL_DYNAMODB,
            Var.AWS_REGION,
            // the scatter queue's URL; the local gateway scatters through its own in-process queue (FanOutQueue)
            Var.FANOUT_QUEUE_URL);

    private final Map<Var, String> values;

    private RealtimeEnv(Map<Var, String> values) {
        this.values = Collections.unmodifiableMap(new EnumMap<>(values));
    }

    public static RealtimeEnv fromSystem() {
        return from(System.getenv());
    }

    /**
     * Reads and validates the contract from an environment map.
     *
     * @throws IllegalArgumentException naming every missing or invalid variable
     */
    public static RealtimeEnv from(Map<String, String> env) {
        Map<Var, String> values = new EnumMap<>(Var.class);
        List<String> problems = new ArrayList<>();
        for (Var v : Var.values()) {
            String raw = env.get(v.name());
            if (raw == null || raw.isBlank()) {
                if (v.required) problems.add(v.name() + " is not set (" + v.description + ")");
                else values.put(v, v.defaultValue);
            } else {
                values.put(v, raw.trim());
            }
        }
        RealtimeEnv parsed = new RealtimeEnv(values);
        parsed.check(problems); // also when something is missing: name every problem at once
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid function environment: " + String.join("; ", problems));
        }
        return parsed;
    }

    private void check(List<String> problems) {
        for (Var v : List.of(
                Var.JWT_CLOCK_SKEW_SECONDS,
                Var.CONNECTION_TTL_SECONDS,
                Var.MAX_SUBSCRIPTIONS_PER_CONNECTION,
                Var.DISPATCH_CONCURRENCY,
                Var.DEDUP_WINDOW_SECONDS,
                Var.FANOUT_PAGE_SIZE)) {
            boolean isInt = v == Var.MAX_SUBSCRIPTIONS_PER_CONNECTION
                    || v == Var.DISPATCH_CONCURRENCY
                    || v == Var.FANOUT_PAGE_SIZE;
            try {
                // the two counts are read as int: a value beyond int must fail here, not at first use
                long n = isInt ? Integer.parseInt(values.get(v)) : Long.parseLong(values.get(v));
                if (n < (v == Var.JWT_CLOCK_SKEW_SECONDS ? 0 : 1)) problems.add(v + " must be positive");
            } catch (NumberFormatException e) {
                problems.add(v + " must be a whole number" + (isInt ? " of at most " + Integer.MAX_VALUE : "")
                        + ", got '" + values.get(v) + "'");
            }
        }
        for (Var v : List.of(
                Var.JWT_MAX_TOKEN_AGE_SECONDS,
                Var.JWKS_OUTAGE_TOLERANCE_SECONDS,
                Var.RATE_LIMIT_PER_SECOND,
                Var.RATE_LIMIT_BURST,
                Var.RATE_LIMIT_STRIKES,
                Var.MAX_CONNECTIONS_PER_USER)) {
            boolean zeroOk = v == Var.JWT_MAX_TOKEN_AGE_SECONDS || v == Var.JWKS_OUTAGE_TOLERANCE_SECONDS;
            try {
                int n = Integer.parseInt(values.get(v));
                if (n < (zeroOk ? 0 : 1)) problems.add(v + " must be " + (zeroOk ? "zero or positive" : "positive"));
            } catch (NumberFormatException e) {
                problems.add(v + " must be a whole number of at most " + Integer.MAX_VALUE + ", got '" + values.get(v)
                        + "'");
            }
        }
        if (!List.of("true", "false")
                .contains(values.get(Var.JWT_JWKS_ALLOW_HTTP).toLowerCase(java.util.Locale.ROOT)))
            problems.add(
                    "JWT_JWKS_ALLOW_HTTP must be true or false, got '" + values.get(Var.JWT_JWKS_ALLOW_HTTP) + "'");
        if (jwtAlgorithms().isEmpty())
            problems.add("JWT_ALGORITHMS lists no algorithm (allowed: " + PERMITTED_ALGORITHMS + ")");
        for (String alg : jwtAlgorithms()) {
            if (!PERMITTED_ALGORITHMS.contains(alg))
                problems.add("JWT_ALGORITHMS: " + alg + " is not permitted (allowed: " + PERMITTED_ALGORITHMS + ")");
        }
        for (Var v : List.of(
                Var.JWT_JWKS_URL,
                Var.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI,
                Var.AWS_ENDPOINT_URL_DYNAMODB,
                Var.FANOUT_QUEUE_URL)) {
            String s = values.get(v);
            if (s == null || s.isEmpty()) continue;
            try {
                URI u = URI.create(s);
                if (u.getScheme() == null
                        || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                        || u.getHost() == null) {
                    problems.add(v + " must be an http(s) URL, got '" + s + "'");
                }
            } catch (IllegalArgumentException e) {
                problems.add(v + " must be an http(s) URL, got '" + s + "'");
            }
        }
    }

    public String get(Var v) {
        return values.get(v);
    }

    public String connectionsTable() {
        return values.get(Var.CONNECTIONS_TABLE);
    }

    public String subscriptionsTable() {
        return values.get(Var.SUBSCRIPTIONS_TABLE);
    }

    public String historyTable() {
        return values.get(Var.HISTORY_TABLE);
    }

    public String jwtIssuer() {
        return values.get(Var.JWT_ISSUER);
    }

    public String jwtAudience() {
        return values.get(Var.JWT_AUDIENCE);
    }

    public URI jwksUrl() {
        return URI.create(values.get(Var.JWT_JWKS_URL));
    }

    public Set<String> jwtAlgorithms() {
        return csv(values.get(Var.JWT_ALGORITHMS));
    }

    public Optional<String> jwtTyp() {
        return Optional.of(values.get(Var.JWT_TYP)).filter(s -> !s.isEmpty());
    }

    public Duration clockSkew() {
        return Duration.ofSeconds(Long.parseLong(values.get(Var.JWT_CLOCK_SKEW_SECONDS)));
    }

    public Set<String> allowedOrigins() {
        return csv(values.get(Var.ALLOWED_ORIGINS));
    }

    public Duration connectionTtl() {
        return Duration.ofSeconds(Long.parseLong(values.get(Var.CONNECTION_TTL_SECONDS)));
    }

    public int maxSubscriptionsPerConnection() {
        return Integer.parseInt(values.get(Var.MAX_SUBSCRIPTIONS_PER_CONNECTION));
    }

    public int dispatchConcurrency() {
        return Integer.parseInt(values.get(Var.DISPATCH_CONCURRENCY));
    }

    public Duration dedupWindow() {
        return Duration.ofSeconds(Long.parseLong(values.get(Var.DEDUP_WINDOW_SECONDS)));
    }

    /** Zero when no maximum token age is set. */
    public Duration maxTokenAge() {
        return Duration.ofSeconds(Integer.parseInt(values.get(Var.JWT_MAX_TOKEN_AGE_SECONDS)));
    }

    public Duration jwksOutageTolerance() {
        return Duration.ofSeconds(Integer.parseInt(values.get(Var.JWKS_OUTAGE_TOLERANCE_SECONDS)));
    }

    public int rateLimitPerSecond() {
        return Integer.parseInt(values.get(Var.RATE_LIMIT_PER_SECOND));
    }

    public int rateLimitBurst() {
        return Integer.parseInt(values.get(Var.RATE_LIMIT_BURST));
    }

    public int rateLimitStrikes() {
        return Integer.parseInt(values.get(Var.RATE_LIMIT_STRIKES));
    }

    public boolean jwksAllowHttp() {
        return "true".equalsIgnoreCase(values.get(Var.JWT_JWKS_ALLOW_HTTP));
    }

    public int maxConnectionsPerUser() {
        return Integer.parseInt(values.get(Var.MAX_CONNECTIONS_PER_USER));
    }

    public URI managementEndpoint() {
        return URI.create(values.get(Var.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI));
    }

    public Optional<URI> dynamoDbEndpoint() {
        return Optional.of(values.get(Var.AWS_ENDPOINT_URL_DYNAMODB))
                .filter(s -> !s.isEmpty())
                .map(URI::create);
    }

    public String region() {
        return values.get(Var.AWS_REGION);
    }

    /** The fan-out queue of page tasks; empty when scatter is off. */
    public Optional<URI> fanOutQueueUrl() {
        return Optional.of(values.get(Var.FANOUT_QUEUE_URL))
                .filter(s -> !s.isEmpty())
                .map(URI::create);
    }

    public int fanOutPageSize() {
        return Integer.parseInt(values.get(Var.FANOUT_PAGE_SIZE));
    }

    /** The contract as an environment map, defaults included (what the CDK stack and the local gateway set). */
    public Map<String, String> toMap() {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k.name(), v));
        return out;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds the environment of a deployment; {@link #build()} validates like {@link #from(Map)}. */
    public static final class Builder {
        private final Map<String, String> env = new LinkedHashMap<>();

        public Builder set(Var v, String value) {
            if (value == null) env.remove(v.name());
            else env.put(v.name(), value);
            return this;
        }

        public Builder connectionsTable(String v) {
            return set(Var.CONNECTIONS_TABLE, v);
        }

        public Builder subscriptionsTable(String v) {
            return set(Var.SUBSCRIPTIONS_TABLE, v);
        }

        public Builder historyTable(String v) {
            return set(Var.HISTORY_TABLE, v);
        }

        public Builder jwtIssuer(String v) {
            return set(Var.JWT_ISSUER, v);
        }

        public Builder jwtAudience(String v) {
            return set(Var.JWT_AUDIENCE, v);
        }

        public Builder jwksUrl(String v) {
            return set(Var.JWT_JWKS_URL, v);
        }

        public Builder jwtAlgorithms(String v) {
            return set(Var.JWT_ALGORITHMS, v);
        }

        public Builder jwtTyp(String v) {
            return set(Var.JWT_TYP, v);
        }

        public Builder allowedOrigins(List<String> v) {
            return set(Var.ALLOWED_ORIGINS, String.join(",", v));
        }

        public Builder connectionTtlSeconds(long v) {
            return set(Var.CONNECTION_TTL_SECONDS, Long.toString(v));
        }

        public Builder maxSubscriptionsPerConnection(int v) {
            return set(Var.MAX_SUBSCRIPTIONS_PER_CONNECTION, Integer.toString(v));
        }

        public Builder dispatchConcurrency(int v) {
            return set(Var.DISPATCH_CONCURRENCY, Integer.toString(v));
        }

        public Builder managementEndpoint(String v) {
            return set(Var.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI, v);
        }

        public Builder dynamoDbEndpoint(String v) {
            return set(Var.AWS_ENDPOINT_URL_DYNAMODB, v);
        }

        public Builder region(String v) {
            return set(Var.AWS_REGION, v);
        }

        public Builder maxTokenAgeSeconds(int v) {
            return set(Var.JWT_MAX_TOKEN_AGE_SECONDS, Integer.toString(v));
        }

        public Builder rateLimit(int perSecond, int burst, int strikes) {
            set(Var.RATE_LIMIT_PER_SECOND, Integer.toString(perSecond));
            set(Var.RATE_LIMIT_BURST, Integer.toString(burst));
            return set(Var.RATE_LIMIT_STRIKES, Integer.toString(strikes));
        }

        public Builder maxConnectionsPerUser(int v) {
            return set(Var.MAX_CONNECTIONS_PER_USER, Integer.toString(v));
        }

        public Builder fanOutQueueUrl(String v) {
            return set(Var.FANOUT_QUEUE_URL, v);
        }

        public Builder fanOutPageSize(int v) {
            return set(Var.FANOUT_PAGE_SIZE, Integer.toString(v));
        }

        /** The raw map without validation: for the CDK stack, whose values are unresolved tokens until deploy. */
        public Map<String, String> toMap() {
            return new LinkedHashMap<>(env);
        }

        public RealtimeEnv build() {
            return from(env);
        }
    }

    private static Set<String> csv(String s) {
        if (s == null || s.isBlank()) return Set.of();
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(out::add);
        return Collections.unmodifiableSet(out);
    }
}
