package com.pyerp.realtime.core.auth;

import static com.pyerp.realtime.core.auth.TestTokens.EC_KEY;
import static com.pyerp.realtime.core.auth.TestTokens.EC_KID;
import static com.pyerp.realtime.core.auth.TestTokens.RSA_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenVerifierTest {
    private static final TokenVerifier ES256_ONLY = TestTokens.verifier(Set.of("ES256"), null);
    private static final TokenVerifier BOTH = TestTokens.verifier(Set.of("ES256", "RS256"), null);

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
            TokenVerifier v, String token, String reason) {
        return assertThatThrownBy(() -> v.verify(token))
                .isInstanceOf(TokenVerifier.InvalidTokenException.class)
                .hasMessageContaining(reason)
                // the reason is logged: it must never carry the token itself
                .satisfies(e -> {
                    if (token != null && token.length() > 10)
                        assertThat(e.getMessage()).doesNotContain(token);
                });
    }

    private static Date in(long seconds) {
        return Date.from(Instant.now().plusSeconds(seconds));
    }

    @Test
    void verify_shouldReturnThePrincipal_whenAnEs256TokenIsValid() throws Exception {
        Principal p = ES256_ONLY.verify(TestTokens.es256());

        assertThat(p.userId()).isEqualTo("alice");
        assertThat(p.tenant()).isEqualTo("acme");
        assertThat(p.roles()).containsExactlyInAnyOrder("inventory:read", "sales:read");
        assertThat(p.scopes()).containsOnlyKeys("warehouses");
        assertThat(p.scopes().get("warehouses")).containsExactlyInAnyOrder("WH-1", "WH-2");
    }

    @Test
    void verify_shouldReturnThePrincipal_whenAnRs256TokenIsValidAndRs256IsAllowed() throws Exception {
        Principal p = BOTH.verify(
                TestTokens.rs256(b -> b.subject("bob").claim("tenant", "globex").claim("warehouses", List.of("*"))));

        assertThat(p.userId()).isEqualTo("bob");
        assertThat(p.tenant()).isEqualTo("globex");
        assertThat(p.scopes().get("warehouses")).containsExactly("*");
    }

    @Test
    void verify_shouldGiveNoRolesAndNoScope_whenTheClaimsAreAbsent() throws Exception {
        Principal p =
                ES256_ONLY.verify(TestTokens.es256(b -> b.claim("roles", null).claim("warehouses", null)));

        assertThat(p.roles()).isEmpty();
        assertThat(p.scopes()).isEmpty();
    }

    @Test
    void verify_shouldDropRoleValuesThatCannotSurviveTheAuthorizerContext_whenARoleContainsAComma() throws Exception {
        // the authorizer context carries roles comma-separated: "a,b" would turn into two roles on later routes
        Principal p = ES256_ONLY.verify(
                TestTokens.es256(b -> b.claim("roles", List.of("inventory:read", "sales:read,sales:finance", " "))));

        assertThat(p.roles()).containsExactly("inventory:read");
    }

    @Test
    void verify_shouldRefuse_whenRolesIsNotAnArrayOfStrings() {
        assertRefused(ES256_ONLY, TestTokens.es256(b -> b.claim("roles", "inventory:read")), "wrong type");
    }

    @Test
    void verify_shouldRefuse_whenExpiredBeyondTheSkew() {
        assertRefused(
                ES256_ONLY, TestTokens.es256(b -> b.expirationTime(in(-60)).issueTime(in(-700))), "Expired JWT");
    }

    @Test
    void verify_shouldAccept_whenExpiredWithinTheSkew() throws Exception {
        assertThat(ES256_ONLY
                        .verify(TestTokens.es256(b -> b.expirationTime(in(-10))))
                        .userId())
                .isEqualTo("alice");
    }

    @Test
    void verify_shouldRefuse_whenNotBeforeIsInTheFutureBeyondTheSkew() {
        assertRefused(ES256_ONLY, TestTokens.es256(b -> b.notBeforeTime(in(120))), "JWT before use time");
    }

    @Test
    void verify_shouldAccept_whenNotBeforeIsInTheFutureWithinTheSkew() throws Exception {
        assertThat(ES256_ONLY
                        .verify(TestTokens.es256(b -> b.notBeforeTime(in(10))))
                        .userId())
                .isEqualTo("alice");
    }

    @Test
    void verify_shouldRefuse_whenTheIssuerIsWrong() {
        assertRefused(ES256_ONLY, TestTokens.es256(b -> b.issuer("https://evil.example")), "iss");
    }

    @Test
    void verify_shouldRefuse_whenTheAudienceIsWrong() {
        assertRefused(ES256_ONLY, TestTokens.es256(b -> b.audience("another-api")), "aud");
    }

    @Test
    void verify_shouldRefuse_whenExpIsMissing() {
        assertRefused(ES256_ONLY, TestTokens.es256(b -> b.expirationTime(null)), "exp");
    }

    @Test
    void verify_shouldRefuse_whenSubIsMissing() {
        assertRefused(ES256_ONLY, TestTokens.es256(b -> b.subject(null)), "sub");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "ali\nce", "LONG"})
    void verify_shouldRefuse_whenSubIsBlankOrNotARegistrableUserId(String sub) {
        // the registry refuses such a user id, so $connect would fail with a 500 instead of a clean 401;
        // a blank one could not even be read back from the authorizer context
        String value = sub.equals("LONG") ? "u".repeat(257) : sub;
        assertRefused(ES256_ONLY, TestTokens.es256(b -> b.subject(value)), "sub claim");
    }

    @Test
    void verify_shouldRefuse_whenTenantIsMissing() {
        assertRefused(ES256_ONLY, TestTokens.es256(b -> b.claim("tenant", null)), "tenant");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ac/me", "acme corp", "", "a#b", "a@b"})
    void verify_shouldRefuse_whenTenantBreaksTheTenantRule(String tenant) {
        assertRefused(ES256_ONLY, TestTokens.es256(b -> b.claim("tenant", tenant)), "tenant claim must be a string");
    }

    @Test
    void verify_shouldRefuse_whenTenantIsNotAString() {
        assertRefused(ES256_ONLY, TestTokens.es256(b -> b.claim("tenant", 42)), "tenant claim must be a string");
    }

    @Test
    void verify_shouldRefuse_whenSignedWithRs256ButOnlyEs256IsAllowed() {
        assertRefused(ES256_ONLY, TestTokens.rs256(b -> {}), "rejected");
    }

    @Test
    void verify_shouldRefuse_whenTheTokenIsHs256() throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(EC_KID).build(),
                TestTokens.claims("alice", "acme").build());
        jwt.sign(new MACSigner(new byte[32]));

        assertRefused(BOTH, jwt.serialize(), "rejected");
    }

    @Test
    void verify_shouldRefuse_whenHs256IsSignedWithThePublicRsaKeyAsSecret() throws Exception {
        // the classic algorithm-confusion attack: HMAC keyed with the (public) RSA key of the JWKS
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .keyID(TestTokens.RSA_KID)
                        .build(),
                TestTokens.claims("alice", "acme").build());
        jwt.sign(new MACSigner(RSA_KEY.toPublicKey().getEncoded()));

        assertRefused(BOTH, jwt.serialize(), "rejected");
    }

    @Test
    void verify_shouldRefuse_whenAlgIsNone() {
        String unsigned = new PlainJWT(TestTokens.claims("alice", "acme").build()).serialize();

        assertRefused(BOTH, unsigned, "rejected");
    }

    @Test
    void verify_shouldRefuse_whenTheKidIsUnknown() {
        var stranger = TestTokens.ec("ec-unknown");
        String token = TestTokens.sign(
                stranger,
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-unknown").build(),
                TestTokens.claims("alice", "acme").build());

        assertRefused(BOTH, token, "rejected");
    }

    @Test
    void verify_shouldRefuse_whenAKnownKidIsSignedWithAnotherKey() {
        var impostor = TestTokens.ec(EC_KID);
        String token = TestTokens.sign(
                impostor,
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(EC_KID).build(),
                TestTokens.claims("alice", "acme").build());

        assertRefused(BOTH, token, "rejected");
    }

    @Test
    void verify_shouldRefuse_whenThePayloadWasTamperedWith() {
        String[] parts = TestTokens.es256().split("\\.");
        String forged = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(TestTokens.claims("mallory", "acme")
                        .claim("roles", List.of("sales:finance"))
                        .build()
                        .toString()
                        .getBytes());

        assertRefused(BOTH, parts[0] + "." + forged + "." + parts[2], "rejected");
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "a.b.c", "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln", "...."})
    void verify_shouldRefuse_whenTheTokenIsNotAJwt(String token) {
        assertThatThrownBy(() -> BOTH.verify(token)).isInstanceOf(TokenVerifier.InvalidTokenException.class);
    }

    @Test
    void verify_shouldRefuse_whenTheTokenIsEmptyOrHuge() {
        assertRefused(BOTH, null, "no token");
        assertRefused(BOTH, "  ", "no token");
        assertRefused(BOTH, "x".repeat(8193), "longer than 8192");
    }

    @Test
    void verify_shouldCheckTyp_whenATypIsConfigured() throws Exception {
        TokenVerifier atJwt = TestTokens.verifier(Set.of("ES256"), "at+jwt");
        var claims = TestTokens.claims("alice", "acme").build();
        String withAtJwt = TestTokens.sign(
                EC_KEY,
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(EC_KID)
                        .type(new JOSEObjectType("at+jwt"))
                        .build(),
                claims);
        String withJwt = TestTokens.sign(
                EC_KEY,
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(EC_KID)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        String withoutTyp = TestTokens.sign(
                EC_KEY, new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(EC_KID).build(), claims);

        assertThat(atJwt.verify(withAtJwt).userId()).isEqualTo("alice");
        assertRefused(atJwt, withJwt, "typ");
        assertRefused(atJwt, withoutTyp, "typ");
    }

    @Test
    void verify_shouldAcceptAnyTyp_whenNoTypIsConfigured() throws Exception {
        // RealtimeEnv documents JWT_TYP empty as "not checked": an IdP issuing RFC 9068 at+jwt tokens must work
        var claims = TestTokens.claims("alice", "acme").build();
        String withAtJwt = TestTokens.sign(
                EC_KEY,
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(EC_KID)
                        .type(new JOSEObjectType("at+jwt"))
                        .build(),
                claims);
        String withoutTyp = TestTokens.sign(
                EC_KEY, new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(EC_KID).build(), claims);

        assertThat(ES256_ONLY.verify(withAtJwt).userId()).isEqualTo("alice");
        assertThat(ES256_ONLY.verify(withoutTyp).userId()).isEqualTo("alice");
    }

    @Test
    void config_shouldRefuseSymmetricAndEmptyAlgorithmLists() {
        assertThatThrownBy(() -> TestTokens.config(Set.of("ES256", "HS256"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HS256");
        assertThatThrownBy(() -> TestTokens.config(Set.of("none"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none");
        assertThatThrownBy(() -> TestTokens.config(Set.of(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no JWS algorithm");
    }
}
