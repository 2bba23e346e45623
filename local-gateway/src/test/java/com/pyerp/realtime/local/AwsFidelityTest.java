package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.registry.Connection;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * The AWS behaviours of issue 11, each against its own gateway on port 0 (some need short idle or duration limits, or
 * the SigV4 option), driven by real clients: Jetty's WebSocket client, the JDK HTTP client and the AWS SDK v2.
 * local-gateway/README.md "How it behaves like AWS" points at these tests.
 */
@Timeout(120)
class AwsFidelityTest {
    static WebSocketClient ws;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final StaticCredentialsProvider CREDS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    @TempDir
    Path dir;

    @BeforeAll
    static void client() throws Exception {
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stopClient() throws Exception {
        if (ws != null) ws.stop();
    }

    private LocalGateway start(UnaryOperator<LocalGatewayConfig.Builder> options) throws Exception {
        return LocalGateway.startEphemeral(
                options.apply(TestGateways.config(dir).processEnv(Map.of())).build());
    }

    private static TestSocket connect(LocalGateway gw, String user) throws Exception {
        TestSocket s = new TestSocket();
        ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
        req.setSubProtocols("erp.v1", gw.mintToken(user, "acme", List.of(), List.of(), Duration.ofMinutes(5)));
        ws.connect(s, req).get();
        return s;
    }

    private static String connectionIdOf(LocalGateway gw, String user) {
        List<Connection> cs = gw.registry().connectionsOf("acme", user, Instant.now());
        assertThat(cs).hasSize(1);
        return cs.get(0).connectionId();
    }

    private static ApiGatewayManagementApiClient management(LocalGateway gw) {
        return ApiGatewayManagementApiClient.builder()
                .endpointOverride(URI.create(gw.baseUrl() + "/local"))
                .region(Region.US_EAST_1)
                .credentialsProvider(CREDS)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    private static EventBridgeClient events(LocalGateway gw) {
        return EventBridgeClient.builder()
                .endpointOverride(URI.create(gw.eventBridgeUrl()))
                .region(Region.US_EAST_1)
                .credentialsProvider(CREDS)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not true within 10 s: " + what);
            Thread.sleep(20);
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Regression (flaky on main): GetConnection right after the client's socket opened answered 410, because the
     * connection became known only in the server's onWebSocketOpen, which Jetty may run after the client saw the 101.
     * API Gateway knows the connection from the accepted handshake on. The seam widens that gap to 1 s.
     */
    @Test
    void getConnection_rightAfterTheClientSocketOpened_isNot410_beforeTheServerSideOpens() throws Exception {
        try (LocalGateway gw = start(b -> b);
                ApiGatewayManagementApiClient management = management(gw)) {
            // the SDK client's first call is slow (class loading): make it before, so the GET lands inside the gap
            assertThatThrownBy(() -> management.getConnection(b -> b.connectionId("never-existed")))
                    .isInstanceOf(GoneException.class);
            gw.webSocketGateway().openDelayForTests = Duration.ofSeconds(1);
            TestSocket s = connect(gw, "early-erin");
            String id = connectionIdOf(gw, "early-erin");

            assertThat(management.getConnection(b -> b.connectionId(id)).connectedAt())
                    .isNotNull();
            management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("{\"early\":1}")));
            assertThat(s.next().path("early").asInt()).isEqualTo(1);
            s.close();
        }
    }

    @Test
    void binaryFrame_closesTheConnectionWith1003_andRunsDisconnect() throws Exception {
        try (LocalGateway gw = start(b -> b)) {
            TestSocket s = connect(gw, "bin-bob");
            String id = connectionIdOf(gw, "bin-bob");
            s.sendBinary(new byte[] {1, 2, 3});
            assertThat(s.awaitClose(Duration.ofSeconds(10))).isEqualTo(1003);
            eventually(
                    "$disconnect removed the connection",
                    () -> gw.registry().find(id, Instant.now()).isEmpty());
        }
    }

    @Test
    void percentEncodedAtConnections_worksLikeAtConnections_andUnsignedIsAcceptedByDefault() throws Exception {
        try (LocalGateway gw = start(b -> b)) {
            TestSocket s = connect(gw, "enc-eve");
            String id = URLEncoder.encode(connectionIdOf(gw, "enc-eve"), StandardCharsets.UTF_8);
            for (String at : List.of("%40", "@")) {
                URI uri = URI.create(gw.baseUrl() + "/local/" + at + "connections/" + id);
                HttpResponse<String> get = send(HttpRequest.newBuilder(uri).GET());
                assertThat(get.statusCode()).as("GET %s", uri).isEqualTo(200);
                assertThat(get.body()).contains("connectedAt");
                HttpResponse<String> post = send(HttpRequest.newBuilder(uri)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"via\":\"" + at + "\"}")));
                assertThat(post.statusCode()).as("POST %s", uri).isEqualTo(200);
                assertThat(s.next().path("via").asString()).isEqualTo(at);
            }
            s.close();
        }
    }

    @Test
    void idleTimeout_closesASilentConnectionWith1001_whileTrafficKeepsAnotherOpen() throws Exception {
        try (LocalGateway gw = start(b -> b.idleTimeout(Duration.ofSeconds(1)));
                ApiGatewayManagementApiClient management = management(gw)) {
            TestSocket silent = connect(gw, "idle-ida");
            TestSocket busy = connect(gw, "busy-ben");
            String silentId = connectionIdOf(gw, "idle-ida");
            long start = System.nanoTime();
            for (int i = 0; i < 8; i++) { // 2.4 s of pings, each under the 1 s idle timeout
                busy.command("{\"action\":\"ping\"}");
                Thread.sleep(300);
            }
            assertThat(silent.awaitClose(Duration.ofSeconds(10))).isEqualTo(1001);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(busy.isOpen()).isTrue();
            eventually(
                    "$disconnect removed the idle connection",
                    () -> gw.registry().find(silentId, Instant.now()).isEmpty());
            assertThatThrownBy(() -> management.getConnection(b -> b.connectionId(silentId)))
                    .isInstanceOf(GoneException.class);
            busy.close();
        }
    }

    @Test
    void maxConnectionDuration_closesEvenABusyConnectionWith1001() throws Exception {
        try (LocalGateway gw = start(b -> b.maxConnectionDuration(Duration.ofSeconds(2)))) {
            TestSocket s = connect(gw, "old-olga");
            long start = System.nanoTime();
            while (s.isOpen()
                    && System.nanoTime() - start < Duration.ofSeconds(8).toNanos()) {
                s.send("{\"action\":\"ping\"}");
                Thread.sleep(200);
            }
            assertThat(s.awaitClose(Duration.ofSeconds(2))).isEqualTo(1001);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(1900), Duration.ofSeconds(6));
        }
    }

    @Test
    void requireSigV4_refusesUnsignedAndMalformedRequests_andAcceptsTheSdksSignedOnes() throws Exception {
        try (LocalGateway gw = start(b -> b.requireSigV4(true));
                ApiGatewayManagementApiClient management = management(gw);
                EventBridgeClient events = events(gw)) {
            TestSocket s = connect(gw, "sig-sam");
            String id = connectionIdOf(gw, "sig-sam");
            URI post = URI.create(gw.connectionsUrl() + "/" + URLEncoder.encode(id, StandardCharsets.UTF_8));

            HttpResponse<String> unsigned =
                    send(HttpRequest.newBuilder(post).POST(HttpRequest.BodyPublishers.ofString("x")));
            assertThat(unsigned.statusCode()).isEqualTo(403);
            assertThat(unsigned.headers().firstValue("x-amzn-ErrorType"))
                    .hasValue("MissingAuthenticationTokenException");
            HttpResponse<String> malformed = send(HttpRequest.newBuilder(post)
                    .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261130/us-east-1/execute-api")
                    .POST(HttpRequest.BodyPublishers.ofString("x")));
            assertThat(malformed.statusCode()).isEqualTo(403);
            assertThat(malformed.headers().firstValue("x-amzn-ErrorType")).hasValue("IncompleteSignatureException");
            assertThat(s.poll(Duration.ofMillis(200)))
                    .as("nothing was delivered")
                    .isNull();

            management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("{\"signed\":true}")));
            assertThat(s.next().path("signed").asBoolean()).isTrue();

            HttpResponse<String> unsignedPut = send(HttpRequest.newBuilder(URI.create(gw.eventBridgeUrl() + "/"))
                    .header("X-Amz-Target", "AWSEvents.PutEvents")
                    .header("Content-Type", "application/x-amz-json-1.1")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"Entries\":[{\"Source\":\"a\",\"DetailType\":\"b\",\"Detail\":\"{}\"}]}")));
            assertThat(unsignedPut.statusCode()).isEqualTo(403);
            assertThat(unsignedPut.body()).contains("MissingAuthenticationTokenException");
            PutEventsResponse signed = events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                    .source("test.sigv4")
                    .detailType("Signed")
                    .detail("{}")
                    .build()));
            assertThat(signed.failedEntryCount()).isZero();
            s.close();
        }
    }

    @Test
    void putEvents_acceptsEntriesUpTo1MB_andRefusesARequestOverIt() throws Exception {
        try (LocalGateway gw = start(b -> b);
                EventBridgeClient events = events(gw)) {
            PutEventsRequestEntry big = PutEventsRequestEntry.builder()
                    .source("test.size")
                    .detailType("Big")
                    .detail("{\"pad\":\"" + "x".repeat(600_000) + "\"}")
                    .build();
            PutEventsResponse one = events.putEvents(b -> b.entries(big));
            assertThat(one.failedEntryCount()).isZero();
            assertThat(one.entries().get(0).eventId()).isNotBlank();
            assertThatThrownBy(() -> events.putEvents(b -> b.entries(big, big)))
                    .isInstanceOfSatisfying(
                            EventBridgeException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"));
        }
    }

    /**
     * A peer gone without FIN or RST: API Gateway does not ping clients, so it counts posts to such a connection as
     * delivered (200) until its idle timeout closes it; then 410 and $disconnect. The local gateway does the same.
     */
    @Test
    void halfOpenConnection_countsAsDeliveredUntilTheIdleTimeout_thenGone() throws Exception {
        try (LocalGateway gw = start(b -> b.idleTimeout(Duration.ofSeconds(2)));
                BlackHoleProxy proxy = new BlackHoleProxy(gw.port());
                ApiGatewayManagementApiClient management = management(gw)) {
            TestSocket s = new TestSocket();
            ClientUpgradeRequest req =
                    new ClientUpgradeRequest(URI.create("ws://127.0.0.1:" + proxy.port() + "/local"));
            req.setSubProtocols(
                    "erp.v1", gw.mintToken("half-hal", "acme", List.of(), List.of(), Duration.ofMinutes(5)));
            ws.connect(s, req).get();
            String id = connectionIdOf(gw, "half-hal");
            proxy.freeze();

            long start = System.nanoTime();
            management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("{\"lost\":1}")));
            assertThat(s.poll(Duration.ofMillis(300)))
                    .as("the frame never arrives")
                    .isNull();
            eventually("the idle timeout closed the half-open connection", () -> {
                try {
                    management.getConnection(b -> b.connectionId(id));
                    return false;
                } catch (GoneException e) {
                    return true;
                }
            });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
            eventually(
                    "$disconnect removed it",
                    () -> gw.registry().find(id, Instant.now()).isEmpty());
        }
    }

    /** An authorizer error other than "Unauthorized" (here: the JWKS is unreachable) refuses the handshake with 500. */
    @Test
    void authorizerFailure_otherThanUnauthorized_refusesTheHandshakeWith500() throws Exception {
        try (LocalGateway gw = start(b -> b.processEnv(Map.of("JWT_JWKS_URL", "http://127.0.0.1:1/jwks.json")))) {
            ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
            req.setSubProtocols("erp.v1", gw.mintToken("jwks-jo", "acme", List.of(), List.of(), Duration.ofMinutes(5)));
            assertThat(LocalGatewayEndToEndTest.refusedStatus(ws, req)).isEqualTo(500);
            assertThat(gw.registry().connectionsOf("acme", "jwks-jo", Instant.now()))
                    .isEmpty();
        }
    }

    /** Regression: the gateway forced JWT_ALGORITHMS=ES256 (the stack allows RS256,ES256), so RS256 IdPs got 401. */
    @Test
    void functionEnvironment_allowsRs256AndEs256_likeTheStack() throws Exception {
        try (LocalGateway gw = start(b -> b)) {
            assertThat(com.pyerp.realtime.core.config.RealtimeEnv.from(gw.environment())
                            .jwtAlgorithms())
                    .containsExactly("RS256", "ES256");
        }
    }
}
