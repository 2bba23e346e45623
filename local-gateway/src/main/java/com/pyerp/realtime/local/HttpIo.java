package com.pyerp.realtime.local;

import com.pyerp.realtime.events.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Small HTTP helpers for the local gateway's handlers. */
final class HttpIo {
    private HttpIo() {}

    /** Reads at most {@code limit + 1} bytes of the body, so a caller can tell "over the limit" without buffering it all. */
    static byte[] body(Request request, int limit) throws IOException {
        try (InputStream in = Request.asInputStream(request)) {
            return in.readNBytes(limit + 1);
        }
    }

    static void send(Response response, Callback callback, int status, String contentType, String body) {
        response.setStatus(status);
        if (contentType != null) response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.write(
                true,
                body == null ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)),
                callback);
    }

    static void json(Response response, Callback callback, int status, Object body) {
        send(response, callback, status, "application/json", Json.mapper().writeValueAsString(body));
    }
}
