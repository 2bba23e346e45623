package com.pyerp.realtime.aws;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.session.ConnectionCloser;
import com.pyerp.realtime.events.Lazy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;

/**
 * {@link ConnectionCloser} over API Gateway's {@code @connections} API: PostToConnection with the last frame, then
 * DeleteConnection. A connection that is already gone (410) is not an error. Closing is rare (expiry, revocation,
 * abuse), so it has its own small client with the light url-connection HTTP client, apart from the dispatcher's.
 */
public final class ApiGatewayConnectionCloser implements ConnectionCloser, AutoCloseable {
    private static final JsonLog LOG = JsonLog.get(ApiGatewayConnectionCloser.class);
    private final Lazy<ApiGatewayManagementApiClient> client;

    public ApiGatewayConnectionCloser(ApiGatewayManagementApiClient client) {
        this.client = new Lazy<>(() -> client);
    }

    private ApiGatewayConnectionCloser(Lazy<ApiGatewayManagementApiClient> client) {
        this.client = client;
    }

    /** The closer of the function environment; its client is built at the first close. */
    public static ApiGatewayConnectionCloser fromEnv(RealtimeEnv env, Map<String, String> rawEnv) {
        return new ApiGatewayConnectionCloser(new Lazy<>(() -> ApiGatewayManagementApiClient.builder()
                .endpointOverride(env.managementEndpoint())
                .region(Region.of(env.region()))
                .credentialsProvider(AwsCredentials.of(rawEnv, java.util.Optional.empty()))
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(5))
                        .build())
                .build()));
    }

    @Override
    public void close(String connectionId, String lastFrame) {
        try {
            client.get()
                    .postToConnection(b ->
                            b.connectionId(connectionId).data(SdkBytes.fromString(lastFrame, StandardCharsets.UTF_8)));
        } catch (GoneException e) {
            return; // already gone: nothing to close
        } catch (SdkException e) {
            LOG.warn("last frame not delivered; closing anyway", "connectionId", connectionId, "error", e.toString());
        }
        try {
            client.get().deleteConnection(b -> b.connectionId(connectionId));
        } catch (GoneException e) {
            // closed meanwhile
        } catch (SdkException e) {
            LOG.warn("DeleteConnection failed", "connectionId", connectionId, "error", e.toString());
        }
    }

    @Override
    public void close() {
        client.ifBuilt(ApiGatewayManagementApiClient::close);
    }
}
