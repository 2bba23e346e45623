package com.pyerp.realtime.local;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The HTTP transport of the local dispatcher's {@code @connections} client: the real SDK client (marshalling, SigV4
 * signing, AWS's error mapping into GoneException, PayloadTooLargeException, LimitExceededException) over an
 * in-process "wire" to {@link ManagementApi}, instead of a loopback socket, an HTTP client and Jetty's request
 * parsing, which cost most of the gateway's CPU per delivered message (DESIGN.md §7). The answer has the shape the
 * HTTP endpoint gives (status, {@code x-amzn-ErrorType}, {@code {"message"}}), built by the same code. Only
 * PostToConnection (the dispatcher's one call) is served; other requests get 405, so nothing silently succeeds.
 */
final class InProcessManagementTransport implements SdkHttpClient {
    private final AtomicReference<ManagementApi> api = new AtomicReference<>();

    /** The management API, known once the gateway is built (the dispatcher is built before it). */
    void bind(ManagementApi management) {
        api.set(management);
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                return execute(request);
            }

            @Override
            public void abort() {}
        };
    }

    private HttpExecuteResponse execute(HttpExecuteRequest request) throws IOException {
        ManagementApi management = api.get();
        String path = request.httpRequest().encodedPath();
        int at = path.indexOf("connections/");
        if (management == null
                || at < 0
                || !request.httpRequest().method().name().equals("POST"))
            return response(405, "MethodNotAllowedException", "the in-process transport serves PostToConnection only");
        String id = URLDecoder.decode(path.substring(at + "connections/".length()), StandardCharsets.UTF_8);
        byte[] body;
        if (request.contentStreamProvider().isPresent()) {
            try (InputStream in = request.contentStreamProvider().get().newStream()) {
                body = in.readNBytes(ManagementApi.MAX_PAYLOAD + 1);
            }
        } else {
            body = new byte[0];
        }
        ManagementApi.PostResult r = management.post(id, body);
        return r.status() == 200 ? response(200, null, null) : response(r.status(), r.errorType(), r.message());
    }

    private static HttpExecuteResponse response(int status, String errorType, String message) {
        SdkHttpResponse.Builder head = SdkHttpResponse.builder().statusCode(status);
        byte[] body = new byte[0];
        if (errorType != null) {
            head.putHeader("x-amzn-ErrorType", errorType).putHeader("Content-Type", "application/json");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", message);
            body = LambdaRuntime.JSON.writeValueAsBytes(m);
        }
        head.putHeader("Content-Length", Integer.toString(body.length));
        return HttpExecuteResponse.builder()
                .response(head.build())
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
                .build();
    }

    @Override
    public String clientName() {
        return "LocalInProcess";
    }

    @Override
    public void close() {}
}
