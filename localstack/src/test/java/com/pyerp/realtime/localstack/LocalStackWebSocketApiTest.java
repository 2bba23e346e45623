package com.pyerp.realtime.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The WebSocket API itself (LocalStack Pro): the CDK app deployed with cdklocal by {@code localstack/deploy.sh}
 * (outputs in {@code localstack/cdk-outputs.json}), a real WebSocket client with a development token signed by the
 * key whose JWKS the deployed authorizer reads, subscribe, PutEvents to the deployed bus, the envelope arrives.
 * Skipped, with the reason printed, without {@code LOCALSTACK_AUTH_TOKEN}, without Docker or before deploy.sh.
 */
@ExtendWith(LocalStackWebSocketApiTest.ProDeployment.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LocalStackWebSocketApiTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path OUTPUTS = Path.of("cdk-outputs.json"); // Surefire runs in localstack/
    private static final Path KEY = Path.of(System.getProperty("user.home"), ".pyerp-realtime", "dev-signing-key.jwk");

    /** Disables the class, with the reason printed, unless LocalStack Pro runs with the stack deployed. */
    static final class ProDeployment implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().isPresent()) return ConditionEvaluationResult.enabled("the class decided");
            String missing = missing();
            if (missing == null) return ConditionEvaluationResult.enabled("LocalStack Pro with the stack deployed");
            String why = "[localstack] SKIPPED LocalStackWebSocketApiTest: " + missing
                    + ". How to run it: localstack/README.md";
            System.out.println(why);
            return ConditionEvaluationResult.disabled(why);
        }

        private static String missing() {
            String token = System.getenv("LOCALSTACK_AUTH_TOKEN");
            if (token == null || token.isBlank())
                return "LOCALSTACK_AUTH_TOKEN is not set (WebSocket APIs are a LocalStack Pro feature)";
            DockerProbe docker = DockerProbe.probe();
            if (!docker.reachable()) return "no Docker engine reachable (" + docker.reason() + ")";
            if (!Files.exists(OUTPUTS)) return "localstack/cdk-outputs.json is missing: run localstack/deploy.sh first";
            if (!LocalStackDocker.alreadyRunning()) return "no LocalStack at " + LocalStackDocker.EDGE;
            return null;
        }
    }

    @Test
    void deployedApi_shouldDeliverAnErpEventToASubscribedWebSocketClient() throws Exception {
        JsonNode outputs =
                JSON.readTree(Files.readString(OUTPUTS)).values().iterator().next();
        // wss://{api}.execute-api.{region}.amazonaws.com/{stage} is served by LocalStack on its edge port
        String url = outputs.path("WebSocketUrl")
                .asString()
                .replaceFirst(
                        "^wss://([^.]+)\\.execute-api\\.[^/]+", "ws://$1.execute-api.localhost.localstack.cloud:4566");
        String bus = outputs.path("EventBusName").asString();
        String token = mint();

        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocketClient ws = new WebSocketClient();
        ws.start();
        try (EventBridgeClient events = EventBridgeClient.builder()
                .endpointOverride(URI.create(LocalStackDocker.EDGE))
                .region(LocalStackDocker.REGION)
                .credentialsProvider(LocalStackDocker.CREDENTIALS)
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(url));
            req.setSubProtocols("erp.v1", token);
            Session session = ws.connect(
                            new Session.Listener.AutoDemanding() {
                                @Override
                                public void onWebSocketText(String message) {
                                    frames.add(message);
                                }
                            },
                            req)
                    .get(30, TimeUnit.SECONDS);
            session.sendText(
                    "{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-1\",\"id\":\"s1\"}", Callback.NOOP);
            JsonNode ack = JSON.readTree(frames.poll(30, TimeUnit.SECONDS));
            assertThat(ack.path("type").asString()).isEqualTo("ack");

            String detail = "{\"tenantId\":\"acme\",\"warehouseId\":\"WH-1\",\"sku\":\"IT-1\",\"onHand\":1,"
                    + "\"available\":1,\"changedAt\":\"" + Instant.now() + "\"}";
            var put = events.putEvents(p -> p.entries(PutEventsRequestEntry.builder()
                    .eventBusName(bus)
                    .source("pyerp.inventory")
                    .detailType("StockLevelChanged")
                    .detail(detail)
                    .build()));
            assertThat(put.failedEntryCount()).isZero();
            String frame = frames.poll(60, TimeUnit.SECONDS);
            assertThat(frame).as("an event frame within 60 s").isNotNull();
            JsonNode event = JSON.readTree(frame);
            assertThat(event.path("type").asString()).isEqualTo("event");
            assertThat(event.path("data").path("sku").asString()).isEqualTo("IT-1");
            session.close();
        } finally {
            ws.stop();
        }
    }

    /** A development token signed by the key deploy.sh's identity provider publishes (the local gateway's). */
    private static String mint() throws Exception {
        ECKey key = ECKey.parse(Files.readString(KEY, StandardCharsets.UTF_8));
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .type(JOSEObjectType.JWT)
                        .keyID(key.getKeyID())
                        .build(),
                new JWTClaimsSet.Builder()
                        .issuer("pyerp-local-gateway")
                        .audience("pyerp-realtime")
                        .subject("it")
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(600)))
                        .claim("tenant", "acme")
                        .claim("roles", List.of("inventory:read"))
                        .claim("warehouses", List.of("WH-1"))
                        .build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}
