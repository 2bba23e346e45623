package com.pyerp.realtime.coldstart;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.aws.dynamo.Dynalite;
import com.pyerp.realtime.aws.dynamo.RegistryTableSetup;
import com.pyerp.realtime.core.auth.TestTokens;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The shaded deployment jar itself, as Lambda runs it: each handler, loaded by name in a fresh JVM that has only the
 * jar and the runtime's serializers, answers its golden event. This is what proves the minimized jar still holds every
 * class the handlers load (a class the minimizer dropped fails here with NoClassDefFoundError), including their SnapStart
 * priming steps (run first, as before a snapshot; the dispatcher's posts to a stub {@code @connections} API that answers
 * 410), and that it stays within its size ceiling.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LambdaJarIT {
    private static Dynalite dynalite;
    private static HttpServer jwks;
    private static Map<String, String> env;
    private static final java.util.concurrent.atomic.AtomicInteger posts =
            new java.util.concurrent.atomic.AtomicInteger();
    /** Every run also runs the SnapStart priming steps first, so they too must find their classes in the jar. */
    private static final java.util.List<String> PRIMED = java.util.List.of("-D" + LambdaRuntimeSim.PRIME + "=true");

    @BeforeAll
    static void start() throws Exception {
        dynalite = Dynalite.start();
        try (DynamoDbClient client = dynalite.client()) {
            RegistryTableSetup.createIfMissing(client, ShadedJar.TABLES[0], ShadedJar.TABLES[1]);
        }
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = TestTokens.PUBLIC_JWKS.toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks.json", x -> {
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        // the @connections API of a stage where no connection exists: every post answers 410 GoneException
        byte[] gone = "{\"message\":\"Gone\"}".getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/prod/@connections/", x -> {
            x.getRequestBody().readAllBytes();
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.getResponseHeaders().add("x-amzn-ErrorType", "GoneException");
            x.sendResponseHeaders(410, gone.length);
            x.getResponseBody().write(gone);
            x.close();
            posts.incrementAndGet();
        });
        jwks.start();
        env = new java.util.HashMap<>(ShadedJar.env(dynalite.endpoint()));
        env.put("JWT_ISSUER", TestTokens.ISSUER);
        env.put("JWT_AUDIENCE", TestTokens.AUDIENCE);
        env.put("JWT_JWKS_URL", "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json");
        env.put("ALLOWED_ORIGINS", "https://erp.pyerp.example");
        env.put(
                "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI",
                "http://127.0.0.1:" + jwks.getAddress().getPort() + "/prod");
    }

    @AfterAll
    static void stop() {
        if (jwks != null) jwks.stop(0);
        if (dynalite != null) dynalite.close();
    }

    @Test
    void jar_staysWithinItsCeiling() throws Exception {
        assertThat(Files.size(ShadedJar.jar())).isLessThanOrEqualTo(JarBreakdown.CEILING_BYTES);
    }

    /**
     * The jar carries the AWS CRT's native library for Lambda's platform only: the stack's functions are ARM_64
     * ({@code HandlerFunction}) on Amazon Linux (glibc). Another architecture there would fail at the first post.
     */
    @Test
    void jar_carriesOnlyLambdasNativeLibrary() throws Exception {
        try (java.util.zip.ZipFile zip =
                new java.util.zip.ZipFile(ShadedJar.jar().toFile())) {
            assertThat(zip.stream()
                            .map(java.util.zip.ZipEntry::getName)
                            .filter(n -> n.endsWith(".so") || n.endsWith(".dylib") || n.endsWith(".dll")))
                    .containsExactly("linux/armv8/glibc/libaws-crt-jni.so");
        }
    }

    @Test
    void everyHandler_answersItsGoldenEvent_fromTheShadedJar() {
        ShadedJar.Run authorizer = ShadedJar.run(
                PRIMED,
                env,
                "com.pyerp.realtime.handler.AuthorizerHandler",
                "authorizer-request.json",
                "TOKEN_PLACEHOLDER=" + TestTokens.es256());
        assertThat(authorizer.answer()).as(authorizer.output().toString()).contains("\"Effect\":\"Allow\"");

        // connected now, so the registration has not expired when the subscribe reads it
        ShadedJar.Run connect = ShadedJar.run(
                PRIMED,
                env,
                "com.pyerp.realtime.handler.ConnectHandler",
                "connect.json",
                "1795600800000=" + System.currentTimeMillis());
        assertThat(connect.answer()).as(connect.output().toString()).contains("\"statusCode\":200");

        ShadedJar.Run subscribe =
                ShadedJar.run(PRIMED, env, "com.pyerp.realtime.handler.CommandHandler", "subscribe.json");
        assertThat(subscribe.answer()).as(subscribe.output().toString()).contains("\"statusCode\":200");
        assertThat(subscribe.answer()).contains("ack");

        ShadedJar.Run dispatch = ShadedJar.run(
                PRIMED, env, "com.pyerp.realtime.handler.DispatcherHandler", "eventbridge-stock-level-changed.json");
        assertThat(dispatch.answer()).as(dispatch.output().toString()).startsWith("ANSWERED {");
        assertThat(dispatch.answer()).contains("\"invalid\":0");
        assertThat(dispatch.output()).anyMatch(l -> l.contains("\"priming\":\"@connections\"") && l.contains("primed"));
        assertThat(posts.get()).as("the priming post reached @connections").isPositive();

        ShadedJar.Run disconnect =
                ShadedJar.run(PRIMED, env, "com.pyerp.realtime.handler.DisconnectHandler", "disconnect.json");
        assertThat(disconnect.answer()).as(disconnect.output().toString()).contains("\"statusCode\":200");
    }
}
