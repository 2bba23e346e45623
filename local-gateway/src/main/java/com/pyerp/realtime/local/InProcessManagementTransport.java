package com.pyerp.realtime.local;

import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.events.ProtocolLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;

/**
 * The HTTP transport of the local dispatcher's {@code @connections} client: the real SDK client (marshalling, SigV4
 * signing, AWS's error mapping into GoneException, PayloadTooLargeException, LimitExceededException) over an
 * in-process "wire" to {@link ManagementApi}, instead of a loopback socket, an HTTP client and Jetty's request
 * parsing, which cost most of the gateway's CPU per delivered message (DESIGN.md §7). The answer has the shape the
 * HTTP endpoint gives (status, {@code x-amzn-ErrorType}, {@code {"message"}}), built by the same code. Only
 * PostToConnection (the dispatcher's one call) is served; other requests get 405, so nothing silently succeeds. Both
 * the synchronous and the asynchronous SDK client can use it.
 */
final class InProcessManagementTransport implements SdkHttpClient, SdkAsyncHttpClient {
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
        byte[] body;
        if (request.contentStreamProvider().isPresent()) {
            try (InputStream in = request.contentStreamProvider().get().newStream()) {
                body = in.readNBytes(ProtocolLimits.MAX_MESSAGE_BYTES + 1);
            }
        } else {
            body = new byte[0];
        }
        Answer a = answer(request.httpRequest(), body);
        return HttpExecuteResponse.builder()
                .response(a.head())
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(a.body())))
                .build();
    }

    /** The asynchronous client's entry: the request body is collected, answered, and streamed back in one buffer. */
    @Override
    public CompletableFuture<Void> execute(AsyncExecuteRequest request) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ByteArrayOutputStream collected = new ByteArrayOutputStream();
        request.requestContentPublisher().subscribe(new Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer b) {
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                collected.write(chunk, 0, chunk.length);
            }

            @Override
            public void onError(Throwable t) {
                request.responseHandler().onError(t);
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                try {
                    Answer a = answer(request.request(), collected.toByteArray());
                    request.responseHandler().onHeaders(a.head());
                    request.responseHandler().onStream(single(ByteBuffer.wrap(a.body())));
                    done.complete(null);
                } catch (RuntimeException e) {
                    request.responseHandler().onError(e);
                    done.completeExceptionally(e);
                }
            }
        });
        return done;
    }

    private record Answer(SdkHttpResponse head, byte[] body) {}

    private Answer answer(SdkHttpRequest request, byte[] body) {
        ManagementApi management = api.get();
        String path = request.encodedPath();
        int at = path.indexOf("connections/");
        if (management == null || at < 0 || !request.method().name().equals("POST"))
            return answer(405, "MethodNotAllowedException", "the in-process transport serves PostToConnection only");
        String id = URLDecoder.decode(path.substring(at + "connections/".length()), StandardCharsets.UTF_8);
        ManagementApi.PostResult r = management.post(id, body);
        return r.status() == 200 ? answer(200, null, null) : answer(r.status(), r.errorType(), r.message());
    }

    private static Answer answer(int status, String errorType, String message) {
        SdkHttpResponse.Builder head = SdkHttpResponse.builder().statusCode(status);
        byte[] body = new byte[0];
        if (errorType != null) {
            head.putHeader("x-amzn-ErrorType", errorType).putHeader("Content-Type", "application/json");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", message);
            body = Json.mapper().writeValueAsBytes(m);
        }
        head.putHeader("Content-Length", Integer.toString(body.length));
        return new Answer(head.build(), body);
    }

    /** A publisher of one buffer, then completion (reactive streams: nothing is emitted before it is requested). */
    private static Publisher<ByteBuffer> single(ByteBuffer buffer) {
        return subscriber -> subscriber.onSubscribe(new Subscription() {
            private boolean done;

            @Override
            public void request(long n) {
                synchronized (this) {
                    if (done || n <= 0) return;
                    done = true;
                }
                if (buffer.hasRemaining()) subscriber.onNext(buffer);
                subscriber.onComplete();
            }

            @Override
            public void cancel() {
                synchronized (this) {
                    done = true;
                }
            }
        });
    }

    @Override
    public String clientName() {
        return "LocalInProcess";
    }

    @Override
    public void close() {}
}
