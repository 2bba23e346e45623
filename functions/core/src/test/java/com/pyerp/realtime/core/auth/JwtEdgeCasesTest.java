package com.pyerp.realtime.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** JWT attacks and sharp edges (issue 10): unknown kid, JWKS outage, typ forms, maximum age, https JWKS. */
class JwtEdgeCasesTest {

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-30T10:00:00Z"));

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }
    }

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile JWKSet published = TestTokens.PUBLIC_JWKS;

    private JwksKeys keys(Duration outageTolerance) {
        return new JwksKeys(
                () -> {
                    fetches.incrementAndGet();
                    if (down.get()) throw new java.io.IOException("connection refused");
                    return published;
                },
                outageTolerance,
                clock);
    }

    private TokenVerifier verifier(JwksKeys keys) {
        return new TokenVerifier(TestTokens.config(Set.of("ES256", "RS256"), null), keys);
    }

    private static String withKid(String kid) {
        ECKey other = TestTokens.ec(kid);
        return TestTokens.sign(
                other,
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build(),
                TestTokens.claims("mallory", "acme").build());
    }

    // regression (issue 10): an unknown kid answered 500 (the JWKS refresh rate limiter) and logged ERROR
    @Test
    void unknownKid_shouldBeABadToken_andRefreshTheJwksAtMostOncePerInterval() throws Exception {
        TokenVerifier v = verifier(keys(Duration.ofHours(1)));
        assertThat(v.verify(TestTokens.es256()).userId()).isEqualTo("alice");
        assertThat(fetches.get()).isEqualTo(1);

        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> v.verify(withKid("forged-" + Math.random())))
                    .isInstanceOf(TokenVerifier.InvalidTokenException.class);
        }
        assertThat(fetches.get()).isEqualTo(2); // one refresh for the first unknown kid, then rate-limited

        clock.advance(JwksKeys.UNKNOWN_KID_REFRESH.plusSeconds(1));
        assertThatThrownBy(() -> v.verify(withKid("forged-later")))
                .isInstanceOf(TokenVerifier.InvalidTokenException.class);
        assertThat(fetches.get()).isEqualTo(3);
    }

    @Test
    void jwksOutage_shouldServeTheCachedKeysForTheTolerance_thenFail_andRecoverAtOnce() throws Exception {
        TokenVerifier v = verifier(keys(Duration.ofMinutes(30)));
        assertThat(v.verify(TestTokens.es256()).userId()).isEqualTo("alice");
        down.set(true);

        clock.advance(JwksKeys.FRESH.plusMinutes(10)); // stale, the issuer down: the cached keys still serve
        assertThat(v.verify(TestTokens.es256()).userId()).isEqualTo("alice");

        clock.advance(Duration.ofMinutes(30)); // beyond the tolerance: a server error, not a 401
        assertThatThrownBy(() -> v.verify(TestTokens.es256()))
                .isInstanceOf(TokenVerifier.KeysUnavailableException.class);

        down.set(false);
        clock.advance(JwksKeys.FAILED_FETCH_RETRY); // recovers on the next connect, not 30 s later
        assertThat(v.verify(TestTokens.es256()).userId()).isEqualTo("alice");
    }

    @Test
    void jwksOutage_shouldRetryAFailedFetchAtMostOncePerSecond() {
        down.set(true);
        TokenVerifier v = verifier(keys(Duration.ofHours(1)));
        for (int i = 0; i < 20; i++)
            assertThatThrownBy(() -> v.verify(TestTokens.es256()))
                    .isInstanceOf(TokenVerifier.KeysUnavailableException.class);
        assertThat(fetches.get()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt"})
    void typ_shouldAcceptTheShortAndTheApplicationForm(String typ) throws Exception {
        TokenVerifier v = new TokenVerifier(
                TestTokens.config(Set.of("ES256"), "at+jwt"),
                new ImmutableJWKSet<SecurityContext>(TestTokens.PUBLIC_JWKS));
        String token = TestTokens.sign(
                TestTokens.EC_KEY,
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(TestTokens.EC_KID)
                        .type(new JOSEObjectType(typ))
                        .build(),
                TestTokens.claims("alice", "acme").build());
        assertThat(v.verify(token).userId()).isEqualTo("alice");
        // configured in the long form, the short one passes too
        TokenVerifier longForm = new TokenVerifier(
                TestTokens.config(Set.of("ES256"), "application/at+jwt"),
                new ImmutableJWKSet<SecurityContext>(TestTokens.PUBLIC_JWKS));
        assertThat(longForm.verify(token).userId()).isEqualTo("alice");
    }

    @Test
    void typ_shouldStillRefuseAnotherType_andAMissingOne() {
        TokenVerifier v = new TokenVerifier(
                TestTokens.config(Set.of("ES256"), "at+jwt"),
                new ImmutableJWKSet<SecurityContext>(TestTokens.PUBLIC_JWKS));
        assertThatThrownBy(() -> v.verify(TestTokens.es256())) // typ JWT
                .isInstanceOf(TokenVerifier.InvalidTokenException.class);
        String noTyp = TestTokens.sign(
                TestTokens.EC_KEY,
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(TestTokens.EC_KID)
                        .build(),
                TestTokens.claims("alice", "acme").build());
        assertThatThrownBy(() -> v.verify(noTyp)).isInstanceOf(TokenVerifier.InvalidTokenException.class);
    }

    private static TokenVerifier withMaxAge(Duration max) {
        TokenVerifier.Config base = TestTokens.config(Set.of("ES256"), null);
        return new TokenVerifier(
                new TokenVerifier.Config(
                        base.issuer(),
                        base.audience(),
                        base.jwksUrl(),
                        base.algorithms(),
                        null,
                        base.clockSkew(),
                        base.httpTimeout(),
                        max,
                        Duration.ofHours(1),
                        false),
                new ImmutableJWKSet<SecurityContext>(TestTokens.PUBLIC_JWKS));
    }

    @Test
    void maxTokenAge_shouldRequireIat_andRefuseOldFutureOrLongLivedTokens() throws Exception {
        TokenVerifier v = withMaxAge(Duration.ofMinutes(15));
        Instant now = Instant.now();
        assertThat(v.verify(TestTokens.es256()).userId()).isEqualTo("alice"); // iat now, exp +10 min

        assertThatThrownBy(() -> v.verify(TestTokens.es256(b -> b.issueTime(null))))
                .hasMessageContaining("iat claim is required");
        assertThatThrownBy(() -> v.verify(TestTokens.es256(b -> b.issueTime(Date.from(now.plusSeconds(600))))))
                .hasMessageContaining("iat is in the future");
        assertThatThrownBy(() -> v.verify(TestTokens.es256(b ->
                        b.issueTime(Date.from(now.minusSeconds(3600))).expirationTime(Date.from(now.plusSeconds(60))))))
                .hasMessageContaining("older than the maximum token age");
        assertThatThrownBy(() -> v.verify(TestTokens.es256(b -> b.expirationTime(Date.from(now.plusSeconds(86400))))))
                .hasMessageContaining("lifetime");
        // without a maximum, iat stays optional
        assertThat(withMaxAge(Duration.ZERO)
                        .verify(TestTokens.es256(b -> b.issueTime(null)))
                        .userId())
                .isEqualTo("alice");
    }

    @Test
    void verify_shouldCarryTheTokenExpiry_intoThePrincipalAndTheAuthorizerContext() throws Exception {
        Instant exp = Instant.now().plusSeconds(300).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Principal p = TestTokens.verifier(Set.of("ES256"), null)
                .verify(TestTokens.es256(b -> b.expirationTime(Date.from(exp))));
        assertThat(p.tokenExpiresAt()).isEqualTo(exp);
        assertThat(Principal.fromContext(p.toContext()).tokenExpiresAt()).isEqualTo(exp);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://idp.example.com/jwks",
                "ftp://idp.example.com/jwks",
                "http://10.0.0.5/jwks",
                "http://localhost.evil.com/jwks"
            })
    void jwksUrl_shouldBeHttps_exceptOnLoopback(String url) {
        assertThatThrownBy(() -> TokenVerifier.Config.requireHttps(URI.create(url)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://idp.example.com/jwks",
                "http://localhost:8080/jwks",
                "http://127.0.0.1:1/x",
                "http://[::1]:9/x"
            })
    void jwksUrl_shouldAcceptHttpsAndLoopbackHttp(String url) {
        TokenVerifier.Config.requireHttps(URI.create(url));
        assertThat(URI.create(url).getHost()).isNotNull();
    }

    @Test
    void jwksKeys_shouldPickUpARotatedKey_onTheFirstUnknownKid() throws Exception {
        TokenVerifier v = verifier(keys(Duration.ofHours(1)));
        assertThat(v.verify(TestTokens.es256()).userId()).isEqualTo("alice");
        ECKey rotated = TestTokens.ec("ec-9");
        published = new JWKSet(List.of(rotated.toPublicJWK()));
        String token = TestTokens.sign(
                rotated,
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-9").build(),
                TestTokens.claims("dave", "acme").build());
        assertThat(v.verify(token).userId()).isEqualTo("dave");
    }
}
