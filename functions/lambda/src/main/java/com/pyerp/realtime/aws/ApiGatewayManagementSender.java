package com.pyerp.realtime.aws;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.ApiGatewayManagementApiException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.LimitExceededException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PayloadTooLargeException;

/** {@link ConnectionSender} over API Gateway's {@code @connections} API (PostToConnection), with the real SDK client. */
public final class ApiGatewayManagementSender implements ConnectionSender, AutoCloseable {
    private final ApiGatewayManagementApiClient client;

    public ApiGatewayManagementSender(ApiGatewayManagementApiClient client) {
        this.client = client;
    }

    /** The client for the endpoint in {@code AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI} (always explicit for this API). */
    public static ApiGatewayManagementSender fromEnv(RealtimeEnv env, java.util.Map<String, String> rawEnv) {
        return fromEnv(
                env,
                rawEnv,
                // a pool as large as the dispatcher's concurrency, so every post in flight reuses a kept-alive
                // connection
                Apache5HttpClient.builder()
                        .maxConnections(env.dispatchConcurrency())
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(5))
                        .build());
    }

    /** The same client over the given HTTP transport (the local gateway's in-process one). */
    public static ApiGatewayManagementSender fromEnv(
            RealtimeEnv env, java.util.Map<String, String> rawEnv, SdkHttpClient httpClient) {
        return new ApiGatewayManagementSender(ApiGatewayManagementApiClient.builder()
                .endpointOverride(env.managementEndpoint())
                .region(Region.of(env.region()))
                .credentialsProvider(credentials(rawEnv))
                // the dispatcher retries throttling itself (with backoff, per recipient); SDK retries on top would
                // multiply the calls
                .overrideConfiguration(
                        o -> o.retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
                .httpClient(httpClient)
                .build());
    }

    /**
     * The credentials named in the given environment when it carries keys (the local gateway passes its own map),
     * otherwise the SDK's default chain (Lambda: the function's role, SnapStart-safe because it is resolved lazily).
     */
    public static AwsCredentialsProvider credentials(java.util.Map<String, String> rawEnv) {
        String key = rawEnv.get("AWS_ACCESS_KEY_ID");
        String secret = rawEnv.get("AWS_SECRET_ACCESS_KEY");
        if (rawEnv != System.getenv() && key != null && secret != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    @Override
    public Outcome send(String connectionId, byte[] payload) {
        try {
            client.postToConnection(b -> b.connectionId(connectionId).data(SdkBytes.fromByteArray(payload)));
            return Outcome.DELIVERED;
        } catch (GoneException e) {
            return Outcome.GONE;
        } catch (LimitExceededException e) {
            return new Outcome(Status.THROTTLED, "429 LimitExceededException");
        } catch (PayloadTooLargeException e) {
            return new Outcome(Status.TOO_LARGE, "413 PayloadTooLargeException (" + payload.length + " bytes)");
        } catch (ApiGatewayManagementApiException e) {
            return new Outcome(
                    Status.FAILED, e.statusCode() + " " + e.awsErrorDetails().errorCode());
        } catch (SdkException e) {
            return new Outcome(Status.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
