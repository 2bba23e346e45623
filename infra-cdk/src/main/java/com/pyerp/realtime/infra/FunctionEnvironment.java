package com.pyerp.realtime.infra;

import com.pyerp.realtime.core.config.RealtimeEnv;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awscdk.Token;

/**
 * The environment of every gateway function, built from {@link RealtimeEnv} (the one definition of the contract that
 * the handlers read and the local gateway fills in), never from a copy of its variable names.
 *
 * <p>Values that are CDK tokens (table names, the @connections endpoint) are only known at deploy time, so the map is
 * built with the unvalidated {@link RealtimeEnv.Builder#toMap()}; {@link #of} then checks the contract itself: every
 * required variable is present, and the values known now pass {@link RealtimeEnv#from} (tokens stand in as
 * well-formed placeholders). {@code AWS_REGION} is never set: Lambda reserves it and sets it itself.
 */
public final class FunctionEnvironment {
    /** The Lambda runtime variable the JVM reads its flags from (not part of the contract). */
    public static final String JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";

    private FunctionEnvironment() {}

    /**
     * The contract map for one deployment.
     *
     * @param connectionsTable    the connections table's name (usually a token)
     * @param subscriptionsTable  the subscriptions table's name (usually a token)
     * @param historyTable        the channel history table's name (usually a token)
     * @param managementEndpoint  {@code https://{apiId}.execute-api.{region}.{suffix}/{stage}} (usually a token)
     * @throws IllegalArgumentException when a value known at synth time breaks the contract
     * @throws IllegalStateException    when {@link RealtimeEnv} gained a required variable this construct does not set
     */
    public static Map<String, String> of(
            RealtimeGatewayProps props,
            String connectionsTable,
            String subscriptionsTable,
            String historyTable,
            String managementEndpoint) {
        RealtimeEnv.Builder b = RealtimeEnv.builder()
                .connectionsTable(connectionsTable)
                .subscriptionsTable(subscriptionsTable)
                .historyTable(historyTable)
                .jwtIssuer(props.jwtIssuer())
                .jwtAudience(props.jwtAudience())
                .jwksUrl(props.jwksUrl())
                .managementEndpoint(managementEndpoint);
        if (!props.allowedOrigins().isEmpty()) b.allowedOrigins(props.allowedOrigins());
        props.functionEnvironment().forEach(b::set);
        Map<String, String> env = b.toMap();
        check(env);
        return env;
    }

    /** Checks a contract map as described in the class comment. */
    static void check(Map<String, String> env) {
        if (env.containsKey(RealtimeEnv.Var.AWS_REGION.name())) {
            throw new IllegalArgumentException("AWS_REGION is reserved by Lambda and must not be set on a function");
        }
        StringBuilder missing = new StringBuilder();
        for (RealtimeEnv.Var v : RealtimeEnv.Var.values()) {
            if (v.required() && v != RealtimeEnv.Var.AWS_REGION && !env.containsKey(v.name())) {
                missing.append(missing.length() == 0 ? "" : ", ")
                        .append(v.name())
                        .append(" (")
                        .append(v.description())
                        .append(')');
            }
        }
        if (missing.length() > 0) {
            throw new IllegalStateException("RealtimeEnv requires variables the gateway does not set: " + missing
                    + ". Set them in FunctionEnvironment.of (infra-cdk).");
        }
        Map<String, String> probe = new LinkedHashMap<>();
        env.forEach((k, v) -> probe.put(k, Token.isUnresolved(v) ? placeholder(k) : v));
        try {
            RealtimeEnv.from(probe);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the gateway's function environment breaks the RealtimeEnv contract: " + e.getMessage(), e);
        }
    }

    private static String placeholder(String var) {
        return var.contains("URL") ? "https://deploy-time-value.invalid" : "deploy-time-value";
    }
}
