package com.pyerp.realtime.aws.dynamo;

import com.pyerp.realtime.aws.AwsCredentials;
import com.pyerp.realtime.core.config.RealtimeEnv;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the DynamoDB client the registry uses: the url-connection HTTP client (the fastest to start in a
 * Lambda cold start), an explicit region, short timeouts and a bounded retry policy, so an endpoint that is
 * down fails the call in about a second instead of hanging a WebSocket command.
 */
public final class DynamoDbClients {
    /** The longest one registry call may take, retries included (see {@link Settings#defaults()}). */
    public static final Duration CALL_TIMEOUT = Duration.ofMillis(1500);

    private DynamoDbClients() {}

    /**
     * Timeouts and retries. Throttling (ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded)
     * and transient errors are retried by the SDK with exponential backoff and full jitter, up to
     * {@code maxAttempts} attempts in all; throttling waits longer ({@code throttlingBase}) than other errors.
     *
     * @param connectTimeout TCP connect
     * @param socketTimeout  silence on an open connection
     * @param attemptTimeout one HTTP attempt
     * @param callTimeout    the whole call, retries included
     */
    public record Settings(
            Duration connectTimeout,
            Duration socketTimeout,
            Duration attemptTimeout,
            Duration callTimeout,
            int maxAttempts,
            Duration backoffBase,
            Duration throttlingBase,
            Duration backoffMax) {
        public Settings {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(socketTimeout, "socketTimeout");
            Objects.requireNonNull(attemptTimeout, "attemptTimeout");
            Objects.requireNonNull(callTimeout, "callTimeout");
            Objects.requireNonNull(backoffBase, "backoffBase");
            Objects.requireNonNull(throttlingBase, "throttlingBase");
            Objects.requireNonNull(backoffMax, "backoffMax");
            if (maxAttempts < 1)
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }

        /**
         * Connect 500 ms, socket 1 s, attempt 1 s, call 1.5 s, 4 attempts, backoff 25 ms (throttling 50 ms) doubling
         * up to 500 ms. A refused connection fails the call in well under a second; a silent endpoint in at most
         * {@link DynamoDbClients#CALL_TIMEOUT}. The budget: a function makes at most a handful of registry calls one after another
         * (a subscribe six), and all of them must fail inside its timeout ({@code FunctionLimits}, 10 s for the
         * request path) so that "registry unavailable" answers 503 or an error frame instead of Lambda's timeout
         * (FunctionBudgetTest checks the arithmetic for each function).
         */
        public static Settings defaults() {
            return new Settings(
                    Duration.ofMillis(500),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    CALL_TIMEOUT,
                    4,
                    Duration.ofMillis(25),
                    Duration.ofMillis(50),
                    Duration.ofMillis(500));
        }
    }

    /** The client described by the function environment: region, endpoint override, credentials ({@link AwsCredentials}). */
    public static DynamoDbClient fromEnv(RealtimeEnv env) {
        return create(
                env.region(),
                env.dynamoDbEndpoint(),
                AwsCredentials.of(System.getenv(), env.dynamoDbEndpoint()),
                Settings.defaults());
    }

    public static DynamoDbClient create(
            String region, Optional<URI> endpoint, AwsCredentialsProvider credentials, Settings s) {
        Objects.requireNonNull(region, "region");
        var builder = DynamoDbClient.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(s.connectTimeout())
                        .socketTimeout(s.socketTimeout())
                        .build())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(s.attemptTimeout())
                        .apiCallTimeout(s.callTimeout())
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(s.maxAttempts())
                                .backoffStrategy(BackoffStrategy.exponentialDelay(s.backoffBase(), s.backoffMax()))
                                .throttlingBackoffStrategy(
                                        BackoffStrategy.exponentialDelay(s.throttlingBase(), s.backoffMax()))
                                .build())
                        .build());
        endpoint.ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
