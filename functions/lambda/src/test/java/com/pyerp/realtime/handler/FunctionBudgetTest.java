package com.pyerp.realtime.handler;

import static com.pyerp.realtime.handler.LambdaFixtures.context;
import static com.pyerp.realtime.handler.LambdaFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.pyerp.realtime.aws.dynamo.DynamoDbClients;
import com.pyerp.realtime.aws.dynamo.DynamoDbConnectionRegistry;
import com.pyerp.realtime.core.auth.TestTokens;
import com.pyerp.realtime.core.auth.TokenVerifier;
import com.pyerp.realtime.core.config.FunctionLimits;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.service.ConnectionService;
import com.pyerp.realtime.events.EventCatalog;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Every failure path fits inside the function's timeout ({@link FunctionLimits}, shared with the CDK stack): otherwise
 * Lambda kills the invocation first and the client gets API Gateway's generic error instead of our 503 or error frame.
 * Regression: the registry client's call timeout was 12 s while the functions have 10 s.
 */
@Timeout(60)
class FunctionBudgetTest {
    /** Room for the rest of an invocation (deserialization, logging, a SnapStart restore hook). */
    static final Duration MARGIN = Duration.ofSeconds(1);

    /**
     * The most registry calls each request-path function makes one after another (read from ConnectionService,
     * SessionGuard and DynamoDbConnectionRegistry): $connect the per-user Query + PutItem; a command GetItem (expired
     * handshake token, SessionGuard) then a subscribe's Query + GetItem + PutItem + GetItem + DeleteItem; $disconnect
     * DeleteItem + Query + one BatchWriteItem per 25 of at most 100 subscriptions (the default limit). The session
     * function (60 s, scheduled or EventBridge-invoked and retried) is not on the request path.
     */
    static final Map<FunctionLimits, Integer> SEQUENTIAL_REGISTRY_CALLS =
            Map.of(FunctionLimits.CONNECT, 2, FunctionLimits.COMMAND, 1 + 5, FunctionLimits.DISCONNECT, 2 + 100 / 25);

    @Test
    void registryCallTimeouts_fitInsideEveryFunctionTimeout() {
        Duration call = DynamoDbClients.Settings.defaults().callTimeout();
        assertThat(call).isEqualTo(DynamoDbClients.CALL_TIMEOUT);
        SEQUENTIAL_REGISTRY_CALLS.forEach(
                (fn, calls) -> assertThat(call.multipliedBy(calls).plus(MARGIN))
                        .as("%d registry calls of at most %s in %s", calls, call, fn)
                        .isLessThanOrEqualTo(fn.timeout()));
    }

    @Test
    void jwksFetch_fitsInsideTheAuthorizerTimeout() {
        RealtimeEnv env = RealtimeEnv.builder()
                .connectionsTable("c")
                .subscriptionsTable("s")
                .jwtIssuer("https://issuer.test")
                .jwtAudience("pyerp")
                .jwksUrl("https://issuer.test/jwks.json")
                .managementEndpoint("https://api.test/prod")
                .build();
        Duration http = TokenVerifier.Config.from(env).httpTimeout();
        // connect + read, and one retry of the fetch
        assertThat(http.multipliedBy(4).plus(MARGIN)).isLessThanOrEqualTo(FunctionLimits.AUTHORIZER.timeout());
    }

    @Test
    void connectWithASilentRegistry_answers503_insideTheConnectTimeout() throws Exception {
        // a DynamoDB endpoint that accepts TCP connections and never answers
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                DynamoDbClient client = DynamoDbClients.create(
                        "eu-central-1",
                        Optional.of(URI.create("http://127.0.0.1:" + silent.getLocalPort())),
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")),
                        DynamoDbClients.Settings.defaults())) {
            DynamoDbConnectionRegistry registry = DynamoDbConnectionRegistry.builder()
                    .client(client)
                    .connectionsTable("connections")
                    .subscriptionsTable("subscriptions")
                    .build();
            ConnectHandler handler = new ConnectHandler(
                    new ConnectionService(registry, EventCatalog.load(), Clock.systemUTC(), Duration.ofHours(2), 100));
            APIGatewayV2WebSocketEvent e = event(
                    "connect.json", APIGatewayV2WebSocketEvent.class, Map.of("TOKEN_PLACEHOLDER", TestTokens.es256()));

            long start = System.nanoTime();
            APIGatewayV2WebSocketResponse r = handler.handleRequest(e, context("connect"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(r.getStatusCode()).isEqualTo(503);
            assertThat(took).isLessThan(FunctionLimits.CONNECT.timeout().minus(MARGIN));
        }
    }
}
