package com.pyerp.realtime.aws;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiAsyncClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.ApiGatewayManagementApiException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.LimitExceededException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PayloadTooLargeException;

/**
 * {@link ConnectionSender} over API Gateway's {@code @connections} API (PostToConnection), with the SDK's async client
 * on the AWS CRT HTTP client: many posts in flight on a few native event-loop threads, no thread per post. The SDK's own
 * retries are off: the dispatcher retries throttling itself (adaptive concurrency, full jitter; SDK retries on top
 * would multiply the calls under throttling). The CRT client took about 25 % less time than netty for the same posts
 * in {@code FanOutBenchmark}'s setting (docs/decisions.md).
 */
public final class ApiGatewayManagementSender implements ConnectionSender, AutoCloseable {
    private final ApiGatewayManagementApiAsyncClient client;
    private final SdkAsyncHttpClient http;

    /** @param http the client's HTTP client, closed with this sender (the SDK does not close one passed in); may be null */
    public ApiGatewayManagementSender(ApiGatewayManagementApiAsyncClient client, SdkAsyncHttpClient http) {
        this.client = client;
        this.http = http;
    }

    /** The client for the endpoint in {@code AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI} (always explicit for this API). */
    public static ApiGatewayManagementSender fromEnv(RealtimeEnv env, java.util.Map<String, String> rawEnv) {
        SdkAsyncHttpClient http = crtClient(env.dispatchConcurrency());
        return new ApiGatewayManagementSender(client(env, rawEnv, http), http);
    }

    /**
     * The CRT HTTP client for {@code maxConcurrency} posts in flight: one kept-alive connection each (HTTP/1.1); a post
     * waits for a connection at most 10 s (the dispatcher never has more in flight than the pool holds).
     */
    public static SdkAsyncHttpClient crtClient(int maxConcurrency) {
        return AwsCrtAsyncHttpClient.builder()
                .maxConcurrency(maxConcurrency)
                .connectionTimeout(Duration.ofSeconds(2))
                .connectionAcquisitionTimeout(Duration.ofSeconds(10))
                .connectionMaxIdleTime(Duration.ofSeconds(60))
                .build();
    }

    /** The async client over a given HTTP client (the benchmark passes the netty client to compare). */
    public static ApiGatewayManagementApiAsyncClient client(
            RealtimeEnv env, java.util.Map<String, String> rawEnv, SdkAsyncHttpClient http) {
        return ApiGatewayManagementApiAsyncClient.builder()
                .endpointOverride(env.managementEndpoint())
                .region(Region.of(env.region()))
                .credentialsProvider(AwsCredentials.of(rawEnv, java.util.Optional.empty()))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .httpClient(http)
                .build();
    }

    @Override
    public CompletableFuture<Outcome> send(String connectionId, byte[] payload) {
        CompletableFuture<Outcome> out;
        try {
            out = client.postToConnection(b -> b.connectionId(connectionId).data(SdkBytes.fromByteArrayUnsafe(payload)))
                    .handle((ok, err) -> err == null ? Outcome.DELIVERED : outcome(err, payload.length));
        } catch (RuntimeException e) {
            out = CompletableFuture.completedFuture(outcome(e, payload.length));
        }
        return out;
    }

    static Outcome outcome(Throwable err, int bytes) {
        Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (e instanceof GoneException) return Outcome.GONE;
        if (e instanceof LimitExceededException) return Outcome.THROTTLED;
        if (e instanceof PayloadTooLargeException)
            return new Outcome(Status.TOO_LARGE, "413 PayloadTooLargeException (" + bytes + " bytes)");
        if (e instanceof ApiGatewayManagementApiException a) {
            if (a.statusCode() == 429) return Outcome.THROTTLED;
            return new Outcome(
                    Status.FAILED,
                    a.statusCode() + " "
                            + (a.awsErrorDetails() == null
                                    ? ""
                                    : a.awsErrorDetails().errorCode()));
        }
        return new Outcome(Status.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    @Override
    public void close() {
        client.close();
        if (http != null) http.close();
    }
}
