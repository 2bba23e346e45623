package com.pyerp.realtime.events.publisher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tiny real HTTP server that speaks EventBridge's PutEvents (AWS JSON 1.1: {@code POST /} with
 * {@code X-Amz-Target: AWSEvents.PutEvents}), so the tests drive the real {@code EventBridgeClient} over HTTP.
 *
 * <p>It stands in for EventBridge here only because the local gateway (the project's real EventBridge stand-in)
 * depends on this module, so this module's tests cannot use it. It records every call and answers each entry
 * with an event id, or with the error {@link #failWith} chooses.
 */
final class FakeEventBridge implements AutoCloseable {
    /** Decides the per-entry error code (null = accept) from the entry and how many calls have carried its detail. */
    interface Failure {
        String errorFor(JsonNode entry, int attemptOfThisDetail);
    }

    /** One PutEvents call as received. */
    record Call(int bodyBytes, List<JsonNode> entries, String authorization) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<Call> calls = new ArrayList<>();
    private final java.util.Map<String, Integer> attempts = new java.util.HashMap<>();
    private final AtomicInteger wholeCallStatus = new AtomicInteger(200);
    private volatile Failure failure = (e, n) -> null;

    static {
        // without TCP_NODELAY the JDK server's small responses wait for the client's delayed ACK (~40 ms a call)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    FakeEventBridge() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void failWith(Failure f) {
        failure = f;
    }

    /** Answer every call with this HTTP status and a ValidationException body (200 = normal). */
    void failWholeCallsWith(int status) {
        wholeCallStatus.set(status);
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized List<JsonNode> entries() {
        List<JsonNode> out = new ArrayList<>();
        for (Call c : calls) out.addAll(c.entries());
        return out;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            if (!"POST".equals(ex.getRequestMethod()) || !"AWSEvents.PutEvents".equals(target)) {
                send(ex, 400, "{\"__type\":\"UnknownOperationException\",\"message\":\"only PutEvents\"}");
                return;
            }
            JsonNode req = JSON.readTree(new String(body, StandardCharsets.UTF_8));
            List<JsonNode> entries = new ArrayList<>();
            req.path("Entries").forEach(entries::add);
            synchronized (this) {
                calls.add(new Call(body.length, entries, ex.getRequestHeaders().getFirst("Authorization")));
            }
            if (wholeCallStatus.get() != 200) {
                send(
                        ex,
                        wholeCallStatus.get(),
                        "{\"__type\":\"ValidationException\",\"message\":\"the fake refuses this call\"}");
                return;
            }
            if (entries.isEmpty() || entries.size() > 10 || body.length > EventBridgeLimits.MAX_BYTES) {
                send(ex, 400, "{\"__type\":\"ValidationException\",\"message\":\"1 to 10 entries and at most 1 MB\"}");
                return;
            }
            ObjectNode out = JSON.createObjectNode();
            ArrayNode results = out.putArray("Entries");
            int failed = 0;
            for (JsonNode e : entries) {
                int n;
                synchronized (this) {
                    n = attempts.merge(e.path("Detail").asString(), 1, Integer::sum);
                }
                String code = failure.errorFor(e, n);
                ObjectNode r = results.addObject();
                if (code == null) {
                    r.put("EventId", UUID.randomUUID().toString());
                } else {
                    failed++;
                    r.put("ErrorCode", code);
                    r.put("ErrorMessage", "the fake says " + code);
                }
            }
            out.put("FailedEntryCount", failed);
            send(ex, 200, JSON.writeValueAsString(out));
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        ex.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
