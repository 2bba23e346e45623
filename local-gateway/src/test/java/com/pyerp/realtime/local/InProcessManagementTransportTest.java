package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.log.JsonLog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
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
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiAsyncClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PayloadTooLargeException;

/**
 * The local dispatcher's in-process transport to {@code @connections}, under the real SDK clients (synchronous and
 * asynchronous): a post reaches a real WebSocket client, and AWS's errors come back as the SDK's exceptions.
 */
@Timeout(60)
class InProcessManagementTransportTest {
    static LocalGateway gw;
    static WebSocketClient ws;
    static ApiGatewayManagementApiClient sync;
    static ApiGatewayManagementApiAsyncClient async;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        JsonLog.setSink(line -> {});
        gw = LocalGateway.startEphemeral(TestGateways.config(dir).build());
        ws = new WebSocketClient();
        ws.setMaxTextMessageSize(256 * 1024);
        ws.start();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        URI endpoint = URI.create(gw.baseUrl() + "/local");
        sync = ApiGatewayManagementApiClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(creds)
                .httpClient(gw.managementTransport())
                .build();
        async = ApiGatewayManagementApiAsyncClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(creds)
                .httpClient(gw.managementTransport())
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (sync != null) sync.close();
        if (async != null) async.close();
        if (ws != null) ws.stop();
        if (gw != null) gw.close();
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    private static String open(TestSocket s, String user) throws Exception {
        ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
        req.setSubProtocols("erp.v1", gw.mintToken(user, "acme", List.of(), List.of(), Duration.ofMinutes(10)));
        ws.connect(s, req).get();
        return gw.registry().connectionsOf("acme", user, Instant.now()).get(0).connectionId();
    }

    @Test
    void syncClient_postsToARealClient_andGetsAwsErrors() throws Exception {
        TestSocket s = new TestSocket();
        String id = open(s, "sync-user");
        String big = "{\"x\":\"" + "y".repeat(100 * 1024) + "\"}";

        sync.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("{\"n\":1}")));
        sync.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String(big)));

        assertThat(s.next().path("n").asInt()).isEqualTo(1);
        assertThat(s.nextText(Duration.ofSeconds(10))).isEqualTo(big);
        assertThatThrownBy(() -> sync.postToConnection(
                        b -> b.connectionId(id).data(SdkBytes.fromByteArray(new byte[128 * 1024 + 1]))))
                .isInstanceOf(PayloadTooLargeException.class);
        assertThatThrownBy(() -> sync.postToConnection(
                        b -> b.connectionId("no-such-connection").data(SdkBytes.fromUtf8String("{}"))))
                .isInstanceOf(GoneException.class);
        s.close();
    }

    @Test
    void asyncClient_postsToARealClient_andGetsAwsErrors() throws Exception {
        TestSocket s = new TestSocket();
        String id = open(s, "async-user");

        async.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("{\"n\":2}")))
                .join();

        assertThat(s.next().path("n").asInt()).isEqualTo(2);
        assertThatThrownBy(() -> async.postToConnection(
                                b -> b.connectionId("no-such-connection").data(SdkBytes.fromUtf8String("{}")))
                        .join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(GoneException.class);
        s.close();
    }

    @Test
    void otherOperations_areRefused_notSilentlyAccepted() {
        assertThatThrownBy(() -> sync.getConnection(b -> b.connectionId("any")))
                .hasMessageContaining("PostToConnection only");
    }
}
