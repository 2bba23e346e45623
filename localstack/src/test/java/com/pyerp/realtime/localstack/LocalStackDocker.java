package com.pyerp.realtime.localstack;

import cloud.localstack.Localstack;
import cloud.localstack.docker.annotation.LocalstackDockerConfiguration;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Starts LocalStack once per test JVM through localstack-utils ({@link Localstack#startup}), stops it when the
 * test run ends. Without a reachable Docker engine every test class using this extension is <b>skipped</b>
 * (disabled with the reason, like an assumption that fails) and the reason is printed as one line starting with {@code [localstack] SKIPPED}, so the
 * build log shows both Surefire's "Skipped: N" and why.
 *
 * <p>Environment: {@code LOCALSTACK_IMAGE} / {@code LOCALSTACK_IMAGE_TAG} choose the image (default
 * {@code localstack/localstack:latest}); {@code LOCALSTACK_AUTH_TOKEN} is passed to the container when set.
 */
final class LocalStackDocker implements ExecutionCondition, BeforeAllCallback {
    static final Region REGION = Region.US_EAST_1;
    static final AwsCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    static final String EDGE = "http://localhost:4566";
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LocalStackDocker.class);

    /**
     * Without Docker the test class is disabled with the reason (Surefire then counts each of its tests as skipped;
     * an assumption failing in {@code @BeforeAll} would count nothing at all).
     */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isPresent()) return ConditionEvaluationResult.enabled("the class decided");
        DockerProbe docker = context.getRoot()
                .getStore(NS)
                .getOrComputeIfAbsent("docker", k -> DockerProbe.probe(), DockerProbe.class);
        if (docker.reachable()) return ConditionEvaluationResult.enabled(docker.reason());
        String why = "[localstack] SKIPPED " + context.getDisplayName() + ": no Docker engine reachable ("
                + docker.reason() + "). How to run these tests: localstack/README.md";
        System.out.println(why);
        return ConditionEvaluationResult.disabled(why);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NS).getOrComputeIfAbsent("localstack", k -> start(), AutoCloseable.class);
    }

    /** The edge endpoint (every service), e.g. http://localhost:4566. */
    static URI endpoint() {
        return URI.create(Localstack.INSTANCE.isRunning() ? Localstack.INSTANCE.getEndpointDynamoDB() : EDGE);
    }

    /** A LocalStack already listening on the edge port (e.g. from localstack/docker-compose.yml)? */
    static boolean alreadyRunning() {
        try {
            HttpURLConnection c = (HttpURLConnection)
                    URI.create(EDGE + "/_localstack/health").toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static AutoCloseable start() {
        if (alreadyRunning()) {
            System.out.println("[localstack] using the LocalStack already running at " + EDGE);
            return () -> {};
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SERVICES", "dynamodb,events,sqs");
        String token = System.getenv("LOCALSTACK_AUTH_TOKEN");
        if (token != null && !token.isBlank()) env.put("LOCALSTACK_AUTH_TOKEN", token);
        LocalstackDockerConfiguration config = LocalstackDockerConfiguration.builder()
                .imageName(envOr("LOCALSTACK_IMAGE", "localstack/localstack"))
                .imageTag(envOr("LOCALSTACK_IMAGE_TAG", "latest"))
                .environmentVariables(env)
                .useSingleDockerContainer(true)
                .build();
        System.out.println("[localstack] starting " + config.getImageName() + ":" + config.getImageTag()
                + " with localstack-utils");
        Localstack.INSTANCE.startup(config);
        return new Running();
    }

    private static String envOr(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    /** Stops the container when the root context closes (the end of the test run). */
    private static final class Running implements AutoCloseable {
        @Override
        public void close() {
            Localstack.INSTANCE.stop();
        }
    }
}
