package com.pyerp.realtime.aws.dynamo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A dynalite server (a real DynamoDB API, in memory) for tests and the benchmark: {@code node server.js 0
 * --exit-with-stdin} from functions/lambda/tools/dynalite, on a free port of 127.0.0.1. {@link #close()} stops it; a
 * shutdown hook stops it too, and the server exits by itself when this JVM's end of its stdin closes.
 *
 * <p>dynalite is installed by the module's build ({@code mvn -pl functions/lambda generate-test-resources}).
 */
public final class Dynalite implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("dynalite listening on (\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final URI endpoint;
    private final Thread hook;
    private final List<String> output;

    private Dynalite(Process process, URI endpoint, List<String> output) {
        this.process = process;
        this.endpoint = endpoint;
        this.output = output;
        this.hook = new Thread(this::stop, "dynalite-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public static Dynalite start() {
        Path dir = toolsDir();
        if (!Files.isRegularFile(dir.resolve("node_modules/dynalite/package.json"))) {
            throw new IllegalStateException("dynalite is not installed in " + dir
                    + ": run `mvn -pl functions/lambda generate-test-resources`" + " (or `node install.js` there)");
        }
        String node = System.getProperty("node.executable", "node");
        ProcessBuilder pb = new ProcessBuilder(node, "server.js", "0", "--exit-with-stdin")
                .directory(dir.toFile())
                .redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start node ('" + node + "'): " + e.getMessage() + "; node 20+ must be on the PATH", e);
        }
        List<String> output = new ArrayList<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> drain(p.getInputStream(), output, port), "dynalite-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int n = port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new Dynalite(p, URI.create("http://127.0.0.1:" + n), output);
        } catch (TimeoutException | InterruptedException | java.util.concurrent.ExecutionException e) {
            p.destroyForcibly();
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            synchronized (output) {
                throw new IllegalStateException(
                        "dynalite did not start within " + START_TIMEOUT.toSeconds() + " s; its output: " + output, e);
            }
        }
    }

    private static void drain(InputStream in, List<String> output, CompletableFuture<Integer> port) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (output) {
                    if (output.size() < 200) output.add(line);
                }
                System.out.println("[dynalite] " + line); // Surefire keeps it in the test's -output.txt
                Matcher m = LISTENING.matcher(line);
                if (m.find()) port.complete(Integer.parseInt(m.group(1)));
            }
        } catch (IOException ignored) {
            // the process ended
        }
        port.completeExceptionally(new IllegalStateException("dynalite exited"));
    }

    /** functions/lambda/tools/dynalite, found from the module directory (Surefire) or the repository root (exec:java). */
    static Path toolsDir() {
        String configured = System.getProperty("dynalite.dir");
        if (configured != null) return Paths.get(configured).toAbsolutePath();
        Path here = Paths.get("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            for (String rel : List.of("tools/dynalite", "functions/lambda/tools/dynalite")) {
                Path candidate = p.resolve(rel);
                if (Files.isRegularFile(candidate.resolve("server.js"))) return candidate;
            }
        }
        throw new IllegalStateException(
                "cannot find functions/lambda/tools/dynalite from " + here + "; set -Ddynalite.dir");
    }

    public URI endpoint() {
        return endpoint;
    }

    /**
     * A client of this server with the registry's production retry policy and dummy credentials, but generous timeouts:
     * dynalite (single-threaded JavaScript) on a busy 2-core build machine can take seconds where DynamoDB takes
     * milliseconds, and it exits when a client aborts a request. The production timeouts are tested on their own
     * (DynamoDbRegistryFaultsTest, FunctionBudgetTest).
     */
    public DynamoDbClient client() {
        DynamoDbClients.Settings d = DynamoDbClients.Settings.defaults();
        return DynamoDbClients.create(
                "eu-central-1",
                Optional.of(endpoint),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")),
                new DynamoDbClients.Settings(
                        d.connectTimeout(),
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(30),
                        d.maxAttempts(),
                        d.backoffBase(),
                        d.throttlingBase(),
                        d.backoffMax()));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Fails with dynalite's exit code and output when it is no longer running (instead of "connection refused" later). */
    public void requireAlive() {
        if (process.isAlive()) return;
        synchronized (output) {
            throw new IllegalStateException("dynalite (pid " + process.pid() + ") exited with code "
                    + process.exitValue() + "; its output: " + output);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** Closes the server's stdin, as the death of this JVM would: the server must exit by itself. */
    void closeStdin() throws IOException {
        process.getOutputStream().close();
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private void stop() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
