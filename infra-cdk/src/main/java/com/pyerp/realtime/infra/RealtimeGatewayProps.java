package com.pyerp.realtime.infra;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.events.EventCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.ITopic;

/**
 * What another CDK app chooses when it instantiates {@link RealtimeGateway}. Immutable; build one with
 * {@link #builder()}. Defaults live in the builder and {@link Builder#build()} names every problem at once.
 *
 * <p>Only {@code jwtIssuer}, {@code jwtAudience} and {@code jwksUrl} are required. Every value is a plain string
 * (not a CDK token), so it can be validated here, before anything is synthesized.
 */
public final class RealtimeGatewayProps {
    /** The stage name when none is given: the WebSocket URL ends in {@code /live}. */
    public static final String DEFAULT_STAGE = "live";
    /** Recommended for short-lived Lambda JVMs: C1 only, so the first requests after a restore are compiled quickly. */
    public static final String DEFAULT_JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";
    /** How long EventBridge retries handing an event to the dispatch buffer: live updates older than this are stale (see README). */
    public static final Duration DEFAULT_DISPATCH_MAX_EVENT_AGE = Duration.minutes(10);

    public static final int DEFAULT_EVENTBRIDGE_RETRY_ATTEMPTS = 10;
    public static final double DEFAULT_THROTTLE_RATE = 500;
    public static final int DEFAULT_THROTTLE_BURST = 1000;
    /** $connect's own route throttle: a handshake flood gets 429 from API Gateway before it costs an authorizer run. */
    public static final double DEFAULT_CONNECT_THROTTLE_RATE = 200;

    public static final int DEFAULT_CONNECT_THROTTLE_BURST = 400;
    /** The audit log's retention (the function logs keep {@code logRetention}). */
    public static final RetentionDays DEFAULT_AUDIT_LOG_RETENTION = RetentionDays.ONE_YEAR;
    /** Refused security decisions (audit lines with outcome refused) in 5 minutes that raise the alarm. */
    public static final int DEFAULT_AUDIT_REFUSALS_THRESHOLD = 100;

    private static final Pattern STAGE = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_.-]{3,255}");
    private static final Pattern BUS = Pattern.compile("[A-Za-z0-9/._-]{1,256}");
    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Variables the construct fills in itself (tokens of this deployment) or that Lambda reserves. */
    static final Set<RealtimeEnv.Var> MANAGED_VARS = Set.of(
            RealtimeEnv.Var.CONNECTIONS_TABLE,
            RealtimeEnv.Var.SUBSCRIPTIONS_TABLE,
            RealtimeEnv.Var.JWT_ISSUER,
            RealtimeEnv.Var.JWT_AUDIENCE,
            RealtimeEnv.Var.JWT_JWKS_URL,
            RealtimeEnv.Var.ALLOWED_ORIGINS,
            RealtimeEnv.Var.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI,
            RealtimeEnv.Var.AWS_REGION);

    private final String stageName;
    private final String apiName;
    private final List<String> allowedOrigins;
    private final String jwtIssuer;
    private final String jwtAudience;
    private final String jwksUrl;
    private final Map<RealtimeEnv.Var, String> functionEnvironment;
    private final String connectionsTableName;
    private final String subscriptionsTableName;
    private final RemovalPolicy tableRemovalPolicy;
    private final String eventBusName;
    private final String schemaRegistryName;
    private final Path lambdaJar;
    private final Map<GatewayFunction, Integer> memoryMb;
    private final String javaToolOptions;
    private final RetentionDays logRetention;
    private final double throttleRateLimit;
    private final int throttleBurstLimit;
    private final Duration dispatchMaxEventAge;
    private final int eventBridgeRetryAttempts;
    private final ITopic alarmTopic;
    private final boolean apiGatewayCloudWatchRole;
    private final double connectThrottleRateLimit;
    private final int connectThrottleBurstLimit;
    private final int auditRefusalsThreshold;
    private final RetentionDays auditLogRetention;

    private RealtimeGatewayProps(Builder b) {
        this.connectThrottleRateLimit = b.connectThrottleRateLimit;
        this.connectThrottleBurstLimit = b.connectThrottleBurstLimit;
        this.auditRefusalsThreshold = b.auditRefusalsThreshold;
        this.auditLogRetention = b.auditLogRetention;
        this.stageName = b.stageName;
        this.apiName = b.apiName;
        this.allowedOrigins = List.copyOf(b.allowedOrigins);
        this.jwtIssuer = b.jwtIssuer;
        this.jwtAudience = b.jwtAudience;
        this.jwksUrl = b.jwksUrl;
        this.functionEnvironment = Collections.unmodifiableMap(new LinkedHashMap<>(b.functionEnvironment));
        this.connectionsTableName = b.connectionsTableName;
        this.subscriptionsTableName = b.subscriptionsTableName;
        this.tableRemovalPolicy = b.tableRemovalPolicy;
        this.eventBusName =
                b.eventBusName != null ? b.eventBusName : EventCatalog.load().bus();
        this.schemaRegistryName =
                b.schemaRegistryName != null ? b.schemaRegistryName : this.eventBusName.replace('/', '-') + "-schemas";
        this.lambdaJar = b.lambdaJar != null ? b.lambdaJar : defaultLambdaJar();
        EnumMap<GatewayFunction, Integer> mem = new EnumMap<>(GatewayFunction.class);
        for (GatewayFunction f : GatewayFunction.values()) mem.put(f, b.memoryMb.getOrDefault(f, f.defaultMemoryMb()));
        this.memoryMb = Collections.unmodifiableMap(mem);
        this.javaToolOptions = b.javaToolOptions;
        this.logRetention = b.logRetention;
        this.throttleRateLimit = b.throttleRateLimit;
        this.throttleBurstLimit = b.throttleBurstLimit;
        this.dispatchMaxEventAge = b.dispatchMaxEventAge;
        this.eventBridgeRetryAttempts = b.eventBridgeRetryAttempts;
        this.alarmTopic = b.alarmTopic;
        this.apiGatewayCloudWatchRole = b.apiGatewayCloudWatchRole;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String stageName() {
        return stageName;
    }
    /** The WebSocket API's name; empty means the construct derives one from the stack name. */
    public Optional<String> apiName() {
        return Optional.ofNullable(apiName);
    }

    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    public String jwtIssuer() {
        return jwtIssuer;
    }

    public String jwtAudience() {
        return jwtAudience;
    }

    public String jwksUrl() {
        return jwksUrl;
    }
    /** Optional contract variables (JWT_ALGORITHMS, CONNECTION_TTL_SECONDS, ...) set on every function. */
    public Map<RealtimeEnv.Var, String> functionEnvironment() {
        return functionEnvironment;
    }

    public Optional<String> connectionsTableName() {
        return Optional.ofNullable(connectionsTableName);
    }

    public Optional<String> subscriptionsTableName() {
        return Optional.ofNullable(subscriptionsTableName);
    }

    public RemovalPolicy tableRemovalPolicy() {
        return tableRemovalPolicy;
    }

    public String eventBusName() {
        return eventBusName;
    }

    public String schemaRegistryName() {
        return schemaRegistryName;
    }

    public Path lambdaJar() {
        return lambdaJar;
    }

    public int memoryMb(GatewayFunction f) {
        return memoryMb.get(f);
    }

    public String javaToolOptions() {
        return javaToolOptions;
    }

    public RetentionDays logRetention() {
        return logRetention;
    }

    /** The $connect route's throttle (rate). */
    public double connectThrottleRateLimit() {
        return connectThrottleRateLimit;
    }

    public int connectThrottleBurstLimit() {
        return connectThrottleBurstLimit;
    }

    public int auditRefusalsThreshold() {
        return auditRefusalsThreshold;
    }

    /** Retention of the audit log group (default a year). */
    public RetentionDays auditLogRetention() {
        return auditLogRetention;
    }

    public double throttleRateLimit() {
        return throttleRateLimit;
    }

    public int throttleBurstLimit() {
        return throttleBurstLimit;
    }

    public Duration dispatchMaxEventAge() {
        return dispatchMaxEventAge;
    }

    public int eventBridgeRetryAttempts() {
        return eventBridgeRetryAttempts;
    }

    public Optional<ITopic> alarmTopic() {
        return Optional.ofNullable(alarmTopic);
    }

    public boolean apiGatewayCloudWatchRole() {
        return apiGatewayCloudWatchRole;
    }

    /** The jar path written by {@code build.properties} (this build's version), relative to the repository root. */
    public static String lambdaJarRelativePath() {
        Properties p = new Properties();
        try (InputStream in = RealtimeGatewayProps.class.getResourceAsStream("build.properties")) {
            if (in == null) throw new IllegalStateException("build.properties is missing from the infra-cdk jar");
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read build.properties", e);
        }
        return p.getProperty("lambda.jar");
    }

    /**
     * The deployment jar of this repository: the first folder, from the working directory upwards, that holds
     * {@code functions/lambda/pom.xml} is taken as the repository root. Outside the repository the path stays relative
     * to the working directory, and {@link RealtimeGateway} reports it missing with the command that builds it.
     */
    public static Path defaultLambdaJar() {
        String rel = lambdaJarRelativePath();
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("functions/lambda/pom.xml"))) return d.resolve(rel);
        }
        return dir.resolve(rel);
    }

    /** Builds {@link RealtimeGatewayProps}; {@link #build()} validates everything at once. */
    public static final class Builder {
        private String stageName = DEFAULT_STAGE;
        private String apiName;
        private List<String> allowedOrigins = List.of();
        private String jwtIssuer;
        private String jwtAudience;
        private String jwksUrl;
        private final Map<RealtimeEnv.Var, String> functionEnvironment = new LinkedHashMap<>();
        private String connectionsTableName;
        private String subscriptionsTableName;
        private RemovalPolicy tableRemovalPolicy = RemovalPolicy.DESTROY;
        private String eventBusName;
        private String schemaRegistryName;
        private Path lambdaJar;
        private final Map<GatewayFunction, Integer> memoryMb = new EnumMap<>(GatewayFunction.class);
        private String javaToolOptions = DEFAULT_JAVA_TOOL_OPTIONS;
        private RetentionDays logRetention = RetentionDays.ONE_MONTH;
        private double throttleRateLimit = DEFAULT_THROTTLE_RATE;
        private int throttleBurstLimit = DEFAULT_THROTTLE_BURST;
        private double connectThrottleRateLimit = DEFAULT_CONNECT_THROTTLE_RATE;
        private int connectThrottleBurstLimit = DEFAULT_CONNECT_THROTTLE_BURST;
        private int auditRefusalsThreshold = DEFAULT_AUDIT_REFUSALS_THRESHOLD;
        private RetentionDays auditLogRetention = DEFAULT_AUDIT_LOG_RETENTION;

        public Builder auditLogRetention(RetentionDays v) {
            this.auditLogRetention = v;
            return this;
        }

        /** The $connect route's own throttle, below the stage's. */
        public Builder connectThrottle(double rateLimit, int burstLimit) {
            this.connectThrottleRateLimit = rateLimit;
            this.connectThrottleBurstLimit = burstLimit;
            return this;
        }

        public Builder auditRefusalsThreshold(int v) {
            this.auditRefusalsThreshold = v;
            return this;
        }

        /** Per-connection message rate (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST, RATE_LIMIT_STRIKES). */
        public Builder rateLimit(int perSecond, int burst, int strikes) {
            functionEnvironment(RealtimeEnv.Var.RATE_LIMIT_PER_SECOND, Integer.toString(perSecond));
            functionEnvironment(RealtimeEnv.Var.RATE_LIMIT_BURST, Integer.toString(burst));
            return functionEnvironment(RealtimeEnv.Var.RATE_LIMIT_STRIKES, Integer.toString(strikes));
        }

        /** MAX_CONNECTIONS_PER_USER. */
        public Builder maxConnectionsPerUser(int v) {
            return functionEnvironment(RealtimeEnv.Var.MAX_CONNECTIONS_PER_USER, Integer.toString(v));
        }

        /** JWT_MAX_TOKEN_AGE_SECONDS (0 = off). */
        public Builder maxTokenAgeSeconds(int v) {
            return functionEnvironment(RealtimeEnv.Var.JWT_MAX_TOKEN_AGE_SECONDS, Integer.toString(v));
        }

        /** JWKS_OUTAGE_TOLERANCE_SECONDS. */
        public Builder jwksOutageToleranceSeconds(int v) {
            return functionEnvironment(RealtimeEnv.Var.JWKS_OUTAGE_TOLERANCE_SECONDS, Integer.toString(v));
        }

        private Duration dispatchMaxEventAge = DEFAULT_DISPATCH_MAX_EVENT_AGE;
        private int eventBridgeRetryAttempts = DEFAULT_EVENTBRIDGE_RETRY_ATTEMPTS;
        private ITopic alarmTopic;
        private boolean apiGatewayCloudWatchRole = true;

        private Builder() {}

        /** Stage of the WebSocket API (default {@value #DEFAULT_STAGE}). */
        public Builder stageName(String v) {
            this.stageName = v;
            return this;
        }

        public Builder apiName(String v) {
            this.apiName = v;
            return this;
        }
        /** Exact {@code Origin} values allowed to connect (scheme://host[:port]); empty allows any browser origin. */
        public Builder allowedOrigins(List<String> v) {
            this.allowedOrigins = v == null ? List.of() : List.copyOf(v);
            return this;
        }

        public Builder jwtIssuer(String v) {
            this.jwtIssuer = v;
            return this;
        }

        public Builder jwtAudience(String v) {
            this.jwtAudience = v;
            return this;
        }

        public Builder jwksUrl(String v) {
            this.jwksUrl = v;
            return this;
        }
        /** Sets an optional variable of the function contract, e.g. {@code JWT_ALGORITHMS} or {@code CONNECTION_TTL_SECONDS}. */
        public Builder functionEnvironment(RealtimeEnv.Var var, String value) {
            if (value == null) functionEnvironment.remove(var);
            else functionEnvironment.put(var, value);
            return this;
        }
        /** Physical table names; by default CloudFormation generates unique ones. */
        public Builder connectionsTableName(String v) {
            this.connectionsTableName = v;
            return this;
        }

        public Builder subscriptionsTableName(String v) {
            this.subscriptionsTableName = v;
            return this;
        }
        /** Default DESTROY: the registry holds only live connection state that clients rebuild by reconnecting. */
        public Builder tableRemovalPolicy(RemovalPolicy v) {
            this.tableRemovalPolicy = v;
            return this;
        }
        /** Default: the catalog's bus ({@code erp-events}). */
        public Builder eventBusName(String v) {
            this.eventBusName = v;
            return this;
        }
        /** Default: the bus name + {@code -schemas}. */
        public Builder schemaRegistryName(String v) {
            this.schemaRegistryName = v;
            return this;
        }
        /** The shaded functions jar; default {@link #defaultLambdaJar()}. */
        public Builder lambdaJar(Path v) {
            this.lambdaJar = v;
            return this;
        }

        public Builder memoryMb(GatewayFunction f, int mb) {
            memoryMb.put(f, mb);
            return this;
        }

        public Builder javaToolOptions(String v) {
            this.javaToolOptions = v;
            return this;
        }

        public Builder logRetention(RetentionDays v) {
            this.logRetention = v;
            return this;
        }
        /** Default route throttling of the stage: steady requests per second and burst. */
        public Builder throttle(double rateLimit, int burstLimit) {
            this.throttleRateLimit = rateLimit;
            this.throttleBurstLimit = burstLimit;
            return this;
        }
        /**
         * The rule targets' retry policy: how long and how often EventBridge retries handing an event to the dispatch
         * buffer. Retries of the dispatcher itself follow the buffer ({@code DispatchBuffer.MAX_RECEIVE_COUNT} receives).
         */
        public Builder dispatchMaxEventAge(Duration v) {
            this.dispatchMaxEventAge = v;
            return this;
        }

        public Builder eventBridgeRetryAttempts(int v) {
            this.eventBridgeRetryAttempts = v;
            return this;
        }
        /** Where the alarms notify (and recover); without one the alarms only change state. */
        public Builder alarmTopic(ITopic v) {
            this.alarmTopic = v;
            return this;
        }
        /**
         * Whether to set the region's API Gateway CloudWatch Logs role (AWS::ApiGateway::Account), which access logging
         * of a WebSocket stage needs. It is one setting per account and region: turn this off when another stack owns it.
         */
        public Builder apiGatewayCloudWatchRole(boolean v) {
            this.apiGatewayCloudWatchRole = v;
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid or missing property */
        public RealtimeGatewayProps build() {
            List<String> problems = new ArrayList<>();
            if (stageName == null || !STAGE.matcher(stageName).matches()) {
                problems.add("stageName must be 1-128 letters, digits, '-' or '_', got '" + stageName + "'");
            }
            if (apiName != null && apiName.isBlank()) problems.add("apiName must not be blank");
            requireText(problems, "jwtIssuer", jwtIssuer);
            requireText(problems, "jwtAudience", jwtAudience);
            requireText(problems, "jwksUrl", jwksUrl);
            if (jwksUrl != null && !jwksUrl.isBlank() && !isHttpUrl(jwksUrl, false)) {
                problems.add("jwksUrl must be an http(s) URL, got '" + jwksUrl + "'");
            }
            for (String o : allowedOrigins) {
                if (o == null || !isHttpUrl(o, true)) {
                    problems.add("allowedOrigins: '" + o
                            + "' is not an origin (scheme://host[:port], no path, no trailing slash)");
                }
            }
            for (RealtimeEnv.Var v : functionEnvironment.keySet()) {
                if (MANAGED_VARS.contains(v)) {
                    problems.add("functionEnvironment: " + v
                            + " is set by the construct itself (or reserved by Lambda); use the matching property");
                }
            }
            checkName(problems, "connectionsTableName", connectionsTableName, TABLE);
            checkName(problems, "subscriptionsTableName", subscriptionsTableName, TABLE);
            if (connectionsTableName != null && connectionsTableName.equals(subscriptionsTableName)) {
                problems.add("connectionsTableName and subscriptionsTableName must differ");
            }
            checkName(problems, "eventBusName", eventBusName, BUS);
            if ("default".equals(eventBusName))
                problems.add("eventBusName: the account's default bus cannot be created by a stack");
            checkName(problems, "schemaRegistryName", schemaRegistryName, REGISTRY);
            if (tableRemovalPolicy == null) problems.add("tableRemovalPolicy must not be null");
            if (logRetention == null) problems.add("logRetention must not be null");
            memoryMb.forEach((f, mb) -> {
                if (mb < 128 || mb > 10240) problems.add("memoryMb(" + f + ") must be 128-10240 MB, got " + mb);
            });
            if (javaToolOptions == null) problems.add("javaToolOptions must not be null (use \"\" for none)");
            if (!(connectThrottleRateLimit > 0) || connectThrottleBurstLimit < 1)
                problems.add("connectThrottle: rate and burst must be positive, got " + connectThrottleRateLimit + "/"
                        + connectThrottleBurstLimit);
            if (auditRefusalsThreshold < 1) problems.add("auditRefusalsThreshold must be positive");
            if (jwksUrl != null
                    && !jwksUrl.isBlank()
                    && isHttpUrl(jwksUrl, false)
                    && !"true".equalsIgnoreCase(functionEnvironment.get(RealtimeEnv.Var.JWT_JWKS_ALLOW_HTTP))) {
                try {
                    com.pyerp.realtime.core.auth.TokenVerifier.Config.requireHttps(URI.create(jwksUrl));
                } catch (IllegalArgumentException e) {
                    problems.add(
                            "jwksUrl must be https (plain http only to a loopback address), got '" + jwksUrl + "'");
                }
            }
            if (!(throttleRateLimit > 0) || throttleBurstLimit < 1) {
                problems.add("throttle: rate and burst must be positive, got " + throttleRateLimit + "/"
                        + throttleBurstLimit);
            }
            if (dispatchMaxEventAge == null) {
                problems.add("dispatchMaxEventAge must not be null");
            } else {
                double s = dispatchMaxEventAge.toSeconds().doubleValue();
                // EventBridge's range for a target's MaximumEventAgeInSeconds
                if (s < 60 || s > 86400)
                    problems.add("dispatchMaxEventAge must be 60 s - 24 h, got " + (long) s + " s");
            }
            if (eventBridgeRetryAttempts < 0 || eventBridgeRetryAttempts > 185) {
                problems.add("eventBridgeRetryAttempts must be 0-185, got " + eventBridgeRetryAttempts);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid RealtimeGateway props: " + String.join("; ", problems));
            }
            return new RealtimeGatewayProps(this);
        }

        private static void requireText(List<String> problems, String name, String v) {
            if (v == null || v.isBlank()) problems.add(name + " is required");
        }

        private static void checkName(List<String> problems, String name, String v, Pattern p) {
            if (v != null && !p.matcher(v).matches()) problems.add(name + " '" + v + "' does not match " + p.pattern());
        }

        private static boolean isHttpUrl(String s, boolean originOnly) {
            try {
                URI u = URI.create(s);
                boolean ok = u.getScheme() != null
                        && (u.getScheme().equals("https") || u.getScheme().equals("http"))
                        && u.getHost() != null;
                if (ok && originOnly)
                    ok = (u.getRawPath() == null || u.getRawPath().isEmpty())
                            && u.getRawQuery() == null
                            && u.getRawFragment() == null
                            && u.getUserInfo() == null;
                return ok;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }
}
