package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.log.JsonLog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PayloadTooLargeException;

/**
 * API Gateway's size limits, in and out, with real clients: {@code @connections} delivers messages up to 128 KB (split
 * into frames of at most 32 KB) and refuses larger ones with 413; inbound, a frame over 32 KB closes with 1009 and a
 * message may span frames up to 128 KB, whether or not the client compresses (permessage-deflate, which browsers and
 * API Gateway negotiate).
 */
@Timeout(60)
class MessageSizeTest {
    static LocalGateway gw;
    static WebSocketClient ws;
    static ApiGatewayManagementApiClient management;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        JsonLog.setSink(line -> {});
        gw = LocalGateway.startEphemeral(TestGateways.config(dir).build());
        ws = new WebSocketClient();
        ws.setMaxTextMessageSize(256 * 1024);
        ws.start();
        management = ApiGatewayManagementApiClient.builder()
                .endpointOverride(URI.create(gw.baseUrl() + "/local"))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (management != null) management.close();
        if (ws != null) ws.stop();
        if (gw != null) gw.close();
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    private static TestSocket connect(String user, boolean compress) throws Exception {
        TestSocket s = new TestSocket();
        ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
        req.setSubProtocols("erp.v1", gw.mintToken(user, "acme", List.of(), List.of(), Duration.ofMinutes(10)));
        if (compress) req.addExtensions("permessage-deflate");
        ws.connect(s, req).get();
        assertThat(s.negotiatedExtensions().contains("permessage-deflate")).isEqualTo(compress);
        return s;
    }

    private static String connectionIdOf(String user) {
        return gw.registry().connectionsOf("acme", user, Instant.now()).get(0).connectionId();
    }

    /** A JSON message of about {@code bytes} bytes that does not compress well (so frames stay large on the wire). */
    private static String message(int bytes) {
        StringBuilder sb = new StringBuilder("{\"pad\":\"");
        java.util.Random r = new java.util.Random(42);
        while (sb.length() < bytes - 2) sb.append((char) ('a' + r.nextInt(26)));
        return sb.append("\"}").toString();
    }

    // Regression: a post of 32,769–131,072 bytes was answered 200 and never delivered (issue 9).
    @Test
    void post_of100KB_isDeliveredWhole_toAPlainAndToACompressingClient() throws Exception {
        String hundredKb = message(100 * 1024);
        for (boolean compress : new boolean[] {false, true}) {
            String user = "big-" + compress;
            TestSocket s = connect(user, compress);
            management.postToConnection(
                    b -> b.connectionId(connectionIdOf(user)).data(SdkBytes.fromUtf8String(hundredKb)));

            assertThat(s.nextText(Duration.ofSeconds(10))).isEqualTo(hundredKb);
            assertThat(s.isOpen()).isTrue();
            s.close();
        }
    }

    @Test
    void post_ofExactly128KB_isDelivered_andOneByteMoreIsRefusedWith413() throws Exception {
        TestSocket s = connect("limit", false);
        String id = connectionIdOf("limit");
        String max = message(128 * 1024);
        assertThat(max.length()).isEqualTo(128 * 1024);

        management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String(max)));
        assertThat(s.nextText(Duration.ofSeconds(10))).isEqualTo(max);

        assertThatThrownBy(() ->
                        management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String(max + " "))))
                .isInstanceOf(PayloadTooLargeException.class);
        s.close();
    }

    @Test
    void post_splitsMultiByteTextOnCodePoints() throws Exception {
        TestSocket s = connect("utf8", false);
        // 3-byte and 4-byte characters around every frame boundary
        String text = "{\"t\":\"" + "€😀".repeat(14_000) + "\"}";
        management.postToConnection(b -> b.connectionId(connectionIdOf("utf8")).data(SdkBytes.fromUtf8String(text)));

        assertThat(s.nextText(Duration.ofSeconds(10))).isEqualTo(text);
        s.close();
    }

    // Regression: a browser (permessage-deflate) sending a message of 8 KB or more was closed with 1009 (issue 9).
    @Test
    void compressingClient_sending20KB_isAnswered_andStaysOpen() throws Exception {
        TestSocket s = connect("deflate", true);

        s.send("{\"action\":\"ping\",\"id\":\"p1\",\"pad\":\"" + "x".repeat(20 * 1024) + "\"}");

        assertThat(s.next().path("type").asString()).isIn("pong", "error");
        assertThat(s.isOpen()).isTrue();
        s.close();
    }

    @Test
    void compressingClient_sendingAFrameThatInflatesOver32KB_isClosedWith1009() throws Exception {
        TestSocket s = connect("deflate-big", true);

        // compresses to a few hundred bytes on the wire; the limit is on what the application sees
        s.send("{\"action\":\"ping\",\"id\":\"" + "x".repeat(33 * 1024) + "\"}");

        assertThat(s.awaitClose(Duration.ofSeconds(10))).isEqualTo(1009);
    }

    @Test
    void plainClient_sendingAFrameOver32KB_isClosedWith1009() throws Exception {
        TestSocket s = connect("plain-big", false);

        s.send(message(33 * 1024));

        assertThat(s.awaitClose(Duration.ofSeconds(10))).isEqualTo(1009);
    }

    @Test
    void aMessageOf100KB_inFramesOf25KB_isAccepted_butOver128KBIsClosedWith1009() throws Exception {
        TestSocket s = connect("fragments", false);
        String body = message(100 * 1024);
        int q = body.length() / 4;
        s.sendFragments(
                body.substring(0, q), body.substring(q, 2 * q), body.substring(2 * q, 3 * q), body.substring(3 * q));
        // not a command: API Gateway routes it to $default, whose answer says so; the connection stays open
        assertThat(s.next()).isNotNull();
        assertThat(s.isOpen()).isTrue();

        String tooBig = message(132 * 1024);
        int f = tooBig.length() / 5;
        s.sendFragments(
                tooBig.substring(0, f),
                tooBig.substring(f, 2 * f),
                tooBig.substring(2 * f, 3 * f),
                tooBig.substring(3 * f, 4 * f),
                tooBig.substring(4 * f));
        assertThat(s.awaitClose(Duration.ofSeconds(10))).isEqualTo(1009);
    }
}
