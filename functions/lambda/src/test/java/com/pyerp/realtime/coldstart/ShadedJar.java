package com.pyerp.realtime.coldstart;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@link LambdaRuntimeSim} in a fresh JVM on the shaded deployment jar (built by {@code mvn package}), with the
 * Lambda runtime's serialization library and this module's test classes (the simulator, the fixtures, the hello
 * handler) behind it: the jar's classes are what the handlers find, as in Lambda.
 */
final class ShadedJar {
    /** What a child run printed and how long it took from process start to its answer. */
    record Run(String answer, long millis, List<String> output) {
        boolean answered() {
            return answer.startsWith("ANSWERED ");
        }

        /** How long the first handleRequest took, after init (and priming, when asked): wall milliseconds. */
        long firstInvokeMillis() {
            return figure(0);
        }

        /** CPU milliseconds of the first handleRequest's thread. */
        long firstInvokeCpuMillis() {
            return figure(1);
        }

        /** CPU milliseconds of the whole JVM from its start to the answer. */
        long processCpuMillis() {
            return figure(2);
        }

        private long figure(int i) {
            return output.stream()
                    .filter(l -> l.startsWith(LambdaRuntimeSim.FIRST_INVOKE))
                    .mapToLong(l -> Long.parseLong(
                            l.substring(LambdaRuntimeSim.FIRST_INVOKE.length()).split(" ")[i]))
                    .findFirst()
                    .orElse(-1);
        }
    }

    private ShadedJar() {}

    /** target/realtime-functions-*-lambda.jar of this module. */
    static Path jar() {
        Path target = moduleDir().resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("realtime-functions-.*-lambda\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no shaded jar in " + target
                            + ": run `mvn -pl functions/lambda -am package -DskipTests` first"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path moduleDir() {
        Path here = Paths.get("").toAbsolutePath();
        return Files.isDirectory(here.resolve("functions/lambda")) ? here.resolve("functions/lambda") : here;
    }

    /**
     * The jar, then the runtime's serialization library, this module's test classes and the aws-crt jar: the
     * deployable carries only Lambda's native CRT library (linux armv8), so on another machine the CRT's classes come
     * from the jar and only that machine's native library from the aws-crt jar behind it.
     */
    static String classPath() {
        return String.join(
                File.pathSeparator,
                jar().toString(),
                location(com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers.class),
                location(LambdaRuntimeSim.class),
                location(software.amazon.awssdk.crt.CRT.class));
    }

    private static String location(Class<?> type) {
        try {
            return Paths.get(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The function environment of a deployment whose DynamoDB is {@code dynamoDb}; nothing else is ever reached. */
    static Map<String, String> env(java.net.URI dynamoDb) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("CONNECTIONS_TABLE", TABLES[0]);
        env.put("SUBSCRIPTIONS_TABLE", TABLES[1]);
        env.put("JWT_ISSUER", "https://id.pyerp.example");
        env.put("JWT_AUDIENCE", "pyerp-realtime");
        env.put("JWT_JWKS_URL", "http://127.0.0.1:9/.well-known/jwks.json");
        env.put("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", "http://127.0.0.1:9/prod");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.toString());
        env.put("AWS_REGION", "eu-central-1");
        env.put("AWS_ACCESS_KEY_ID", "cold");
        env.put("AWS_SECRET_ACCESS_KEY", "start");
        return env;
    }

    /** The connections and subscriptions tables {@link #env} names. */
    static final String[] TABLES = {"coldstart-connections", "coldstart-subscriptions"};

    /** Starts a JVM that cold-starts {@code handler} on {@code fixture}, and waits for its answer. */
    static Run run(Map<String, String> env, String handler, String fixture, String... replacements) {
        return run(List.of(), env, handler, fixture, replacements);
    }

    /** As {@link #run(Map, String, String, String...)}, with extra JVM options (e.g. {@code -Dcoldstart.prime=true}). */
    static Run run(
            List<String> jvmOptions, Map<String, String> env, String handler, String fixture, String... replacements) {
        List<String> cmd = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                // Lambda's JVM flags for Java functions (JAVA_TOOL_OPTIONS of the managed runtime)
                "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath(), LambdaRuntimeSim.class.getName(), handler, fixture));
        cmd.addAll(Arrays.asList(replacements));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        List<String> output = new ArrayList<>();
        long start = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String answer = null;
        long millis = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (answer == null && (line.startsWith("ANSWERED ") || line.startsWith("THREW "))) {
                    millis = (System.nanoTime() - start) / 1_000_000;
                    answer = line;
                } else {
                    output.add(line);
                }
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        } finally {
            if (p.isAlive()) p.destroyForcibly();
        }
        if (answer == null) {
            throw new IllegalStateException(handler + " gave no answer (exit " + (p.isAlive() ? "?" : p.exitValue())
                    + "):\n" + String.join("\n", output));
        }
        return new Run(answer, millis, output);
    }
}
