package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.pyerp.realtime.core.log.JsonLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import tools.jackson.databind.JsonNode;

/**
 * Attacks after {@code $connect} and around it (issue 10), against a real local gateway with small limits: an
 * expired token on an open socket (active and idle), refresh, the message rate, the per-user connection limit, a
 * junk-token flood, revocation, two tokens, an unknown kid, DNS rebinding, and, over everything this class did, no
 * token in any log line or in the process output.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalGatewaySecurityTest {
    static LocalGateway gw;
    static WebSocketClient ws;
    static EventBridgeClient events;
    static final HttpClient http = HttpClient.newHttpClient();
    static final List<String> logs = new CopyOnWriteArrayList<>();
    /** Every token this class used: none may reach the logs. */
    static final List<String> usedTokens = new CopyOnWriteArrayList<>();

    static PrintStream originalOut;
    static final ByteArrayOutputStream processOut = new ByteArrayOutputStream();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        originalOut = System.out;
        PrintStream tee = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                synchronized (processOut) {
                    processOut.write(b);
                }
                originalOut.write(b);
            }
        });
        System.setOut(tee);
        JsonLog.setSink(line -> {
            logs.add(line);
            System.out.println(line);
        });
        gw = LocalGateway.startEphemeral(TestGateways.config(dir)
                .sessionSweep(Duration.ofMillis(500))
                .processEnv(Map.of(
                        "JWT_CLOCK_SKEW_SECONDS", "0",
                        "RATE_LIMIT_PER_SECOND", "2",
                        "RATE_LIMIT_BURST", "5",
                        "RATE_LIMIT_STRIKES", "3",
                        "MAX_CONNECTIONS_PER_USER", "2"))
                .build());
        ws = new WebSocketClient();
        ws.start();
        events = EventBridgeClient.builder()
                .endpointOverride(URI.create(gw.eventBridgeUrl()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    static void stopAndGrepTheLogs() throws Exception {
        try {
            if (events != null) events.close();
            if (ws != null) ws.stop();
            if (gw != null) gw.close();
        } finally {
            JsonLog.setSink((java.util.function.Consumer<String>) null);
            System.setOut(originalOut);
        }
        String all = String.join("\n", logs);
        String out;
        synchronized (processOut) {
            out = processOut.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(usedTokens).hasSizeGreaterThan(10);
        assertThat(logs).hasSizeGreaterThan(50);
        for (String t : usedTokens) {
            String signature = t.substring(t.lastIndexOf('.') + 1);
            String payload = t.split("\\.")[1];
            assertThat(all).as("a token in the logs").doesNotContain(payload).doesNotContain(signature);
            assertThat(out)
                    .as("a token in the process output")
                    .doesNotContain(payload)
                    .doesNotContain(signature);
        }
    }

    static String token(String sub, Duration ttl) {
        String t = gw.mintToken(sub, "acme", List.of("inventory:read"), List.of("*"), ttl);
        usedTokens.add(t);
        return t;
    }

    static TestSocket connect(String token) throws Exception {
        TestSocket s = new TestSocket();
        ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
        req.setSubProtocols("erp.v1", token);
        ws.connect(s, req).get();
        return s;
    }

    static int refusedStatus(ClientUpgradeRequest req) {
        try {
            ws.connect(new TestSocket(), req).get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c != null && !(c instanceof UpgradeException)) c = c.getCause();
            if (c != null) return ((UpgradeException) c).getResponseStatusCode();
            throw new AssertionError("handshake failed without an HTTP status", e);
        } catch (InterruptedException | java.io.IOException e) {
            throw new AssertionError(e);
        }
        return 101;
    }

    /** The next frame that is not an event. */
    static JsonNode nextReply(TestSocket s) throws InterruptedException {
        while (true) {
            JsonNode n = s.next(Duration.ofSeconds(10));
            if (!n.path("type").asString().equals("event")) return n;
        }
    }

    // regression (issue 10): a connection made with a 2-second token still got acks and events 36 s later
    @Test
    void activeSocket_afterItsTokenExpired_getsTokenExpired_thenIsClosed() throws Exception {
        TestSocket s = connect(token("exp-active", Duration.ofSeconds(2)));
        assertThat(s.command("{\"action\":\"ping\"}").path("type").asString()).isEqualTo("pong");
        Thread.sleep(2600);
        s.send("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-1\"}");
        JsonNode n = nextReply(s);
        assertThat(n.path("code").asString()).isEqualTo("TOKEN_EXPIRED");
        s.awaitClose(Duration.ofSeconds(5));
        assertThat(gw.registry().connectionsOf("acme", "exp-active", Instant.now()))
                .isEmpty();
    }

    @Test
    void idleSocket_afterItsTokenExpired_isClosedByTheSweep_withinTheDocumentedDelay() throws Exception {
        TestSocket s = connect(token("exp-idle", Duration.ofSeconds(2)));
        long start = System.nanoTime();
        JsonNode n = s.next(Duration.ofSeconds(6));
        assertThat(n.path("code").asString()).isEqualTo("TOKEN_EXPIRED");
        s.awaitClose(Duration.ofSeconds(5));
        // token 2 s (whole seconds) + skew 0 + one sweep interval (500 ms here)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(4000));
    }

    @Test
    void refresh_keepsTheSocketOpenPastTheFirstToken_andAForeignTokenIsRefused() throws Exception {
        TestSocket s = connect(token("refresher", Duration.ofSeconds(2)));
        JsonNode foreign = s.command("{\"action\":\"refresh\",\"id\":\"r0\",\"token\":\""
                + token("someone-else", Duration.ofMinutes(5)) + "\"}");
        assertThat(foreign.path("code").asString()).isEqualTo("REFRESH_REFUSED");
        JsonNode r = s.command("{\"action\":\"refresh\",\"id\":\"r1\",\"token\":\""
                + token("refresher", Duration.ofMinutes(5)) + "\"}");
        assertThat(r.path("type").asString()).isEqualTo("refreshed");
        Thread.sleep(3000);
        assertThat(s.command("{\"action\":\"ping\"}").path("type").asString()).isEqualTo("pong");
        assertThat(s.poll(Duration.ofMillis(800))).isNull(); // the sweep leaves it alone
        assertThat(s.isOpen()).isTrue();
        s.close();
    }

    // regression (issue 10): 5,000 pings in one burst were all answered
    @Test
    void aBurstOverTheRate_getsRateLimited_thenTheSocketIsClosed() throws Exception {
        TestSocket s = connect(token("flooder", Duration.ofMinutes(5)));
        for (int i = 0; i < 40; i++) s.send("{\"action\":\"ping\"}");
        List<String> types = new ArrayList<>();
        while (true) {
            String m = s.poll(Duration.ofSeconds(3));
            if (m == null) break;
            JsonNode n =
                    tools.jackson.databind.json.JsonMapper.builder().build().readTree(m);
            types.add(n.has("code") ? n.path("code").asString() : n.path("type").asString());
            if ("RATE_LIMIT_ABUSE".equals(n.path("code").asString())) break;
        }
        assertThat(types).contains("RATE_LIMITED").endsWith("RATE_LIMIT_ABUSE");
        assertThat(types.stream().filter("pong"::equals).count()).isBetween(5L, 7L);
        s.awaitClose(Duration.ofSeconds(5));
        assertThat(logs).anyMatch(l -> l.contains("\"AuditLog\"") && l.contains("RATE_LIMIT_ABUSE"));
    }

    // regression (issue 10): 200 sockets with one token were all accepted
    @Test
    void aThirdConnectionOfOneUser_isRefusedWith429() throws Exception {
        String t = token("greedy", Duration.ofMinutes(5));
        TestSocket a = connect(t);
        TestSocket b = connect(t);
        ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
        req.setSubProtocols("erp.v1", t);
        assertThat(refusedStatus(req)).isEqualTo(429);
        assertThat(gw.registry().connectionsOf("acme", "greedy", Instant.now())).hasSize(2);
        a.close();
        b.close();
    }

    // regression (issue 10): a junk-token flood got 9-13 of 40 valid users refused with 429
    @Test
    void aJunkTokenFlood_doesNotUseUpTheNewConnectionBudget() throws Exception {
        for (int i = 0; i < 520; i++) {
            ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
            req.setSubProtocols("erp.v1", "junk." + i + ".token");
            assertThat(refusedStatus(req)).isEqualTo(401);
        }
        List<TestSocket> valid = new ArrayList<>();
        for (int i = 0; i < 40; i++) valid.add(connect(token("valid-" + i, Duration.ofMinutes(5))));
        assertThat(valid).allMatch(TestSocket::isOpen);
        valid.forEach(TestSocket::close);
    }

    @Test
    void revocation_closesAllOfThatUsersSockets_withinSeconds_andNoOneElses() throws Exception {
        TestSocket a1 = connect(token("revokee", Duration.ofMinutes(5)));
        TestSocket a2 = connect(token("revokee", Duration.ofMinutes(5)));
        TestSocket other = connect(token("bystander", Duration.ofMinutes(5)));
        long start = System.nanoTime();
        var put = events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                .eventBusName("erp-events")
                .source("pyerp.identity")
                .detailType("SessionsRevoked")
                .detail("{\"tenantId\":\"acme\",\"userId\":\"revokee\",\"reason\":\"roles-changed\"}")
                .build()));
        assertThat(put.failedEntryCount()).isZero();
        for (TestSocket s : List.of(a1, a2)) {
            assertThat(nextReply(s).path("code").asString()).isEqualTo("SESSION_REVOKED");
            s.awaitClose(Duration.ofSeconds(5));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(other.command("{\"action\":\"ping\"}").path("type").asString())
                .isEqualTo("pong");
        other.close();
    }

    @Test
    void twoTokens_andAnUnknownKid_areRefusedWith401_neverA500() throws Exception {
        ClientUpgradeRequest two = new ClientUpgradeRequest(URI.create(gw.webSocketUrl() + "?token=forged.x.y"));
        two.setSubProtocols("erp.v1", token("two", Duration.ofMinutes(5)));
        assertThat(refusedStatus(two)).isEqualTo(401);

        ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("unknown-kid").generate();
        for (int i = 0; i < 5; i++) {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID("unknown-kid-" + i)
                            .build(),
                    new JWTClaimsSet.Builder()
                            .issuer(DevTokens.ISSUER)
                            .audience(DevTokens.AUDIENCE)
                            .subject("mallory")
                            .claim("tenant", "acme")
                            .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                            .build());
            jwt.sign(new ECDSASigner(stranger));
            String forged = jwt.serialize();
            usedTokens.add(forged);
            ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
            req.setSubProtocols("erp.v1", forged);
            assertThat(refusedStatus(req)).isEqualTo(401);
        }
        assertThat(logs).noneMatch(l -> l.contains("\"level\":\"ERROR\""));
    }

    @Test
    void tokensUnderAnyQueryName_areRedacted() throws Exception {
        String t = token("query-user", Duration.ofMinutes(5));
        TestSocket s = new TestSocket();
        ws.connect(s, new ClientUpgradeRequest(URI.create(gw.webSocketUrl() + "?to%6Ben=" + t)))
                .get();
        assertThat(s.command("{\"action\":\"ping\"}").path("type").asString()).isEqualTo("pong");
        s.close();
        ClientUpgradeRequest other = new ClientUpgradeRequest(URI.create(gw.webSocketUrl() + "?whatever=" + t));
        refusedStatus(other); // no token under a known name: 401; its value must still not be logged
    }

    // DNS rebinding: a page on another name that resolves to 127.0.0.1 still sends its own Host
    @Test
    void aForeignHostHeader_gets403OnEveryEndpoint() throws Exception {
        for (String path : List.of("/local/token?sub=x", "/local/connections", "/", "/local/@connections/abc")) {
            assertThat(rawStatus("GET " + path, "evil.example:" + gw.port(), ""))
                    .as(path)
                    .isEqualTo(403);
        }
        String body = "{\"Entries\":[]}";
        assertThat(rawStatus(
                        "POST /",
                        "rebind.evil.example",
                        "X-Amz-Target: AWSEvents.PutEvents\r\nContent-Type: application/x-amz-json-1.1\r\n"
                                + "Content-Length: " + body.length() + "\r\n\r\n" + body))
                .isEqualTo(403);
        ClientUpgradeRequest up = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
        up.setHeader("Host", "evil.example");
        up.setSubProtocols("erp.v1", token("rebound", Duration.ofMinutes(5)));
        assertThat(refusedStatus(up)).isEqualTo(403);
        // loopback names pass
        HttpResponse<String> ok = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/local/jwks.json"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
    }

    // a dev token whose tenant the verifier would refuse at the handshake is not minted at all
    @Test
    void localToken_refusesATenantThatBreaksTheTenantRule_with400() throws Exception {
        String base = "http://127.0.0.1:" + gw.port() + "/local/token?sub=zoe&tenant=";
        HttpResponse<String> bad = http.send(
                HttpRequest.newBuilder(URI.create(base + "a%40b")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> good = http.send(
                HttpRequest.newBuilder(URI.create(base + "globex")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("tenant must be 1-64 characters [A-Za-z0-9_-]");
        assertThat(good.statusCode()).isEqualTo(200);
    }

    /** The status of one raw HTTP/1.1 request (java.net.http refuses to set Host). */
    static int rawStatus(String requestLine, String host, String rest) throws Exception {
        try (java.net.Socket sock = new java.net.Socket("127.0.0.1", gw.port())) {
            sock.setSoTimeout(10_000);
            String head = requestLine + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n";
            String req = rest.isEmpty() ? head + "\r\n" : head + rest;
            sock.getOutputStream().write(req.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(
                            sock.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))
                    .readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void hostCheck_acceptsLoopbackAndConfiguredNamesOnly() {
        HostCheck check = new HostCheck(List.of("devbox.lan"), null);
        for (String ok :
                Set.of("localhost", "localhost:8080", "LOCALHOST.", "127.0.0.1:1", "[::1]:8080", "devbox.lan:80"))
            assertThat(check.allows(ok)).as(ok).isTrue();
        for (String bad : Set.of("evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "", "devbox.lan.evil"))
            assertThat(check.allows(bad)).as(bad).isFalse();
        assertThat(check.allows(null)).isFalse();
    }
}
