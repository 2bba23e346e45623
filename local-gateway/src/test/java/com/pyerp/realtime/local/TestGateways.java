package com.pyerp.realtime.local;

import com.pyerp.realtime.aws.dynamo.Dynalite;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/** What the end-to-end tests and benchmarks set up around a gateway: its config, and the real EventBridge client. */
final class TestGateways {
    private TestGateways() {}

    /** A gateway on a free port with its key in {@code dir}. */
    static LocalGatewayConfig.Builder config(Path dir) {
        return LocalGatewayConfig.builder().port(0).keyFile(dir.resolve("k.jwk"));
    }

    /** {@link #config} with the DynamoDB registry on {@code dynalite} ({@code AWS_ENDPOINT_URL_DYNAMODB}). */
    static LocalGatewayConfig.Builder onDynalite(Path dir, Dynalite dynalite) {
        return config(dir)
                .registry(LocalGatewayConfig.Registry.DYNAMODB)
                .processEnv(
                        Map.of("AWS_ENDPOINT_URL_DYNAMODB", dynalite.endpoint().toString()));
    }

    /** The real EventBridge SDK client, pointed at the gateway's PutEvents endpoint (any credentials). */
    static EventBridgeClient events(LocalGateway gw) {
        return EventBridgeClient.builder()
                .endpointOverride(URI.create(gw.eventBridgeUrl()))
                .region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                .build();
    }
}
