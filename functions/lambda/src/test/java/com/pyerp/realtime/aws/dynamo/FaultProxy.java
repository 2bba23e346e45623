package com.pyerp.realtime.aws.dynamo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An HTTP proxy in front of dynalite that injects the faults dynalite never produces: throttling errors and
 * BatchWriteItem UnprocessedItems. Everything else is forwarded unchanged, so the SDK client under test talks to
 * a real DynamoDB API. Counts requests per operation (the {@code X-Amz-Target} suffix).
 */
final class FaultProxy implements AutoCloseable {
    static {
        // the JDK server otherwise leaves Nagle on, and every SDK request then waits ~40 ms for a delayed ACK
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> HOP_HEADERS =
            Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding");

    /** What to do with one request: forward it, or answer it with a DynamoDB error. */
    interface Fault {
        /** An error to answer with instead of forwarding, or empty. */
        Optional<Error> error(String operation, int nthOfOperation);
    }

    record Error(int status, String type, String message) {
        static Error throughputExceeded() {
            return new Error(
                    400,
                    "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    "The level of configured provisioned throughput for the table was exceeded.");
        }

        static Error throttling() {
            return new Error(
                    400,
                    "com.amazon.coral.availability#ThrottlingException",
                    "Rate of requests exceeds the allowed throughput.");
        }

        static Error internal() {
            return new Error(500, "com.amazon.coral.service#InternalFailure", "injected failure");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI target;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private volatile Fault fault = (op, n) -> Optional.empty();
    /** When positive: forward only this many write requests of each BatchWriteItem, return the rest as UnprocessedItems. */
    private volatile int batchWriteKeep;

    FaultProxy(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void fault(Fault f) {
        this.fault = f;
    }

    void batchWriteKeep(int keep) {
        this.batchWriteKeep = keep;
    }

    int count(String operation) {
        AtomicInteger n = counts.get(operation);
        return n == null ? 0 : n.get();
    }

    void resetCounts() {
        counts.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String targetHeader = Optional.ofNullable(ex.getRequestHeaders().getFirst("X-Amz-Target"))
                    .orElse("");
            String operation = targetHeader.substring(targetHeader.indexOf('.') + 1);
            int nth =
                    counts.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();

            Optional<Error> error = fault.error(operation, nth);
            if (error.isPresent()) {
                Error e = error.get();
                respond(
                        ex,
                        e.status(),
                        ("{\"__type\":\"" + e.type() + "\",\"message\":\"" + e.message() + "\"}")
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }

            ArrayNode unprocessed = null;
            String table = null;
            if (operation.equals("BatchWriteItem") && batchWriteKeep > 0) {
                ObjectNode req = (ObjectNode) JSON.readTree(body);
                ObjectNode items = (ObjectNode) req.get("RequestItems");
                table = items.propertyNames().iterator().next();
                ArrayNode all = (ArrayNode) items.get(table);
                if (all.size() > batchWriteKeep) {
                    ArrayNode keep = JSON.createArrayNode();
                    unprocessed = JSON.createArrayNode();
                    for (int i = 0; i < all.size(); i++) (i < batchWriteKeep ? keep : unprocessed).add(all.get(i));
                    items.set(table, keep);
                    body = JSON.writeValueAsBytes(req);
                }
            }

            HttpRequest.Builder fwd = HttpRequest.newBuilder(
                            target.resolve(ex.getRequestURI().getPath()))
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase())) values.forEach(v -> fwd.header(name, v));
            });
            HttpResponse<byte[]> r = http.send(fwd.build(), HttpResponse.BodyHandlers.ofByteArray());
            byte[] out = r.body();
            boolean rewritten = false;
            if (unprocessed != null && r.statusCode() == 200) {
                ObjectNode resp = (ObjectNode) JSON.readTree(out);
                ObjectNode left = JSON.createObjectNode();
                left.set(table, unprocessed);
                resp.set("UnprocessedItems", left);
                out = JSON.writeValueAsBytes(resp);
                rewritten = true;
            }
            if (!rewritten) {
                r.headers()
                        .firstValue("x-amz-crc32")
                        .ifPresent(v -> ex.getResponseHeaders().add("x-amz-crc32", v));
            }
            respond(ex, r.statusCode(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            respond(
                    ex,
                    500,
                    ("{\"__type\":\"com.amazon.coral.service#InternalFailure\",\"message\":\"proxy: " + e + "\"}")
                            .getBytes(StandardCharsets.UTF_8));
        } finally {
            ex.close();
        }
    }

    private static void respond(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
