package com.pyerp.realtime.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The production constructor: keys fetched over HTTP by nimbus's JWKSourceBuilder (cached). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TokenVerifierJwksEndpointTest {
    private HttpServer server;
    private final AtomicInteger fetches = new AtomicInteger();
    private URI jwksUrl;

    /** What the JWKS endpoint serves now (an issuer rotates keys by publishing a new set). */
    private volatile JWKSet published = TestTokens.PUBLIC_JWKS;

    @BeforeEach
    void startJwksServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks", exchange -> {
            byte[] body = published.toString().getBytes(StandardCharsets.UTF_8);
            fetches.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        jwksUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
    }

    @AfterEach
    void stopJwksServer() {
        server.stop(0);
    }

    private TokenVerifier verifier(URI url) {
        return new TokenVerifier(new TokenVerifier.Config(
                TestTokens.ISSUER,
                TestTokens.AUDIENCE,
                url,
                Set.of("ES256", "RS256"),
                null,
                Duration.ofSeconds(30),
                Duration.ofSeconds(2)));
    }

    @Test
    void verify_shouldFetchTheJwksOnceAndCacheIt_whenKeysComeFromAUrl() throws Exception {
        TokenVerifier v = verifier(jwksUrl);

        assertThat(v.verify(TestTokens.es256()).userId()).isEqualTo("alice");
        assertThat(v.verify(TestTokens.rs256(b -> b.subject("bob"))).userId()).isEqualTo("bob");
        assertThat(v.verify(TestTokens.es256(b -> b.subject("carol"))).userId()).isEqualTo("carol");

        assertThat(fetches.get()).isEqualTo(1);
    }

    @Test
    void verify_shouldRefetchTheJwks_whenTheIssuerRotatesToANewKey() throws Exception {
        TokenVerifier v = verifier(jwksUrl);
        assertThat(v.verify(TestTokens.es256()).userId()).isEqualTo("alice");
        ECKey rotated = TestTokens.ec("ec-2");
        published = new JWKSet(List.of(rotated.toPublicJWK(), TestTokens.EC_KEY.toPublicJWK()));

        String signedWithNewKey = TestTokens.sign(
                rotated,
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-2").build(),
                TestTokens.claims("dave", "acme").build());

        assertThat(v.verify(signedWithNewKey).userId()).isEqualTo("dave");
        assertThat(fetches.get()).isEqualTo(2);
    }

    @Test
    void verify_shouldRefuseAndNotHang_whenTheJwksEndpointIsMissing() {
        TokenVerifier v = verifier(jwksUrl.resolve("/nothing-here"));

        // an unreachable JWKS is a server fault (500), not a bad token (401); the message names the JWKS, not the token
        assertThatThrownBy(() -> v.verify(TestTokens.es256()))
                .isInstanceOf(TokenVerifier.KeysUnavailableException.class)
                .hasMessageContaining("JWKS")
                .hasMessageContaining("JWK set");
    }
}
