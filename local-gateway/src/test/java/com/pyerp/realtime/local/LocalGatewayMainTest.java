package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.protocol.ApiRoutes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocalGatewayMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return LocalGatewayMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void help_printsUsage_andExits0() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("--port N", "--registry memory|dynamodb", "token [token options]");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--port abc|--port needs a whole number, got 'abc'",
                "--port 70000|--port must be 0..65535",
                "--port|--port needs a value",
                "--registry redis|--registry must be memory or dynamodb, got 'redis'",
                "--stage a/b|--stage must be 1-128 characters",
                "--origin https://x.example/path|--origin must be scheme://host[:port] without a path",
                "--demo-rate 0|--demo-rate must be in (0, 1000]",
                "--idle-timeout 0|--idle-timeout must be 1-600 seconds",
                "--idle-timeout 601|--idle-timeout must be 1-600 seconds (API Gateway's 10 min at most)",
                "--max-duration 7201|--max-duration must be 1-7200 seconds (API Gateway's 2 h at most)",
                "--frobnicate|unknown option '--frobnicate'"
            })
    void badArguments_exit2_withAClearMessage(String args, String message) {
        assertThat(run(args.split(" "))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("error: " + message)
                .contains("--help");
    }

    @Test
    void tokenCommand_printsATokenSignedWithTheKeyFile(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("k.jwk");
        assertThat(run("token", "--sub", "zoe", "--roles", "sales:read", "--key-file", key.toString()))
                .isZero();
        String token = out.toString(StandardCharsets.UTF_8).trim();
        assertThat(token.split("\\.")).hasSize(3);
        assertThat(DevTokens.describe(token)).containsEntry("sub", "zoe").containsEntry("tenant", "acme");
        assertThat(Files.exists(key)).isTrue();
        // a gateway started with the same key file publishes a JWKS that verifies this token
        com.nimbusds.jose.jwk.JWKSet jwks =
                com.nimbusds.jose.jwk.JWKSet.parse(DevTokens.fromKeyFile(key).jwksJson());
        com.nimbusds.jwt.SignedJWT jwt = com.nimbusds.jwt.SignedJWT.parse(token);
        com.nimbusds.jose.jwk.ECKey pub =
                (com.nimbusds.jose.jwk.ECKey) jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(pub).isNotNull();
        assertThat(pub.isPrivate()).isFalse();
        assertThat(jwt.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(pub))).isTrue();
    }

    @Test
    void tokenCommand_refusesBadTtl() {
        assertThat(run("token", "--ttl", "-5")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--ttl must be positive");
    }

    @Test
    void tokenCommand_refusesATenantThatBreaksTheTenantRule() {
        assertThat(run("token", "--tenant", "a@b")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--tenant must be 1-64 characters [A-Za-z0-9_-], got 'a@b'");
    }

    @Test
    void corruptKeyFile_givesAClearStartupError(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("k.jwk");
        Files.writeString(key, "not a key");
        assertThat(run("--port", "0", "--key-file", key.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not a JWK (delete it to make a new one)");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"action\":\"subscribe\",\"channel\":\"x\"}|subscribe",
                "{\"action\":\"ping\"}|ping",
                "{\"action\":\"dance\"}|$default",
                "{\"action\":42}|$default",
                "not json|$default",
                "[\"action\"]|$default"
            })
    void routeSelection_followsTheExpression_andFallsBackToDefault(String body, String route) {
        assertThat(WebSocketGateway.selectRoute(body, Set.copyOf(ApiRoutes.COMMAND_ROUTES)))
                .isEqualTo(route);
    }
}
