package com.pyerp.realtime.aws;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The credentials every SDK client of the functions uses (DynamoDB, {@code @connections}, SQS), from one rule:
 *
 * <ol>
 *   <li>an environment map that is not the process's (the local gateway passes its own) with keys: those keys;
 *   <li>the process environment with keys and no {@code AWS_PROFILE} (Lambda without SnapStart sets
 *       {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}): the environment provider,
 *       which resolves them at each use. The default chain would end there too, but building it loads the profile,
 *       web-identity, container and instance providers first, tens of milliseconds of every cold start;
 *   <li>a local endpoint override and neither keys nor a profile: dummy keys ({@link #LOCAL_ACCESS_KEY}), because a
 *       local server (dynalite, the local gateway) needs a signature but checks no key;
 *   <li>otherwise the SDK's default chain, resolved lazily (SnapStart functions get their role's credentials from the
 *       container provider it holds).
 * </ol>
 */
public final class AwsCredentials {
    /** Dummy access key and secret for a local endpoint when none are configured. */
    public static final String LOCAL_ACCESS_KEY = "local";

    private AwsCredentials() {}

    /** The provider for a client configured by {@code env}, whose endpoint override (if any) is {@code endpoint}. */
    public static AwsCredentialsProvider of(Map<String, String> env, Optional<URI> endpoint) {
        String key = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        boolean keys = notBlank(key) && notBlank(secret);
        boolean profile = notBlank(env.get("AWS_PROFILE"));
        if (keys && env != System.getenv()) {
            String token = env.get("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(
                    notBlank(token)
                            ? AwsSessionCredentials.create(key, secret, token)
                            : AwsBasicCredentials.create(key, secret));
        }
        if (keys && !profile) return EnvironmentVariableCredentialsProvider.create();
        if (endpoint.isPresent() && !notBlank(key) && !profile) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(LOCAL_ACCESS_KEY, LOCAL_ACCESS_KEY));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
