package com.pyerp.realtime.core.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Real keys and real signed JWTs for tests (core and the Lambda handler tests, through the core test-jar).
 * One ES256 and one RS256 key per JVM: RSA key generation is slow enough to do once.
 */
public final class TestTokens {
    public static final String ISSUER = "https://idp.pyerp.example/realms/erp";
    public static final String AUDIENCE = "pyerp-realtime";
    public static final String EC_KID = "ec-1";
    public static final String RSA_KID = "rsa-1";
    public static final ECKey EC_KEY = ec(EC_KID);
    public static final RSAKey RSA_KEY = rsa(RSA_KID);
    /** The public JWKS the verifier trusts: both keys. */
    public static final JWKSet PUBLIC_JWKS = new JWKSet(List.of(EC_KEY.toPublicJWK(), RSA_KEY.toPublicJWK()));

    private TestTokens() {}

    public static ECKey ec(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256)
                    .keyID(kid)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static RSAKey rsa(String kid) {
        try {
            return new RSAKeyGenerator(2048)
                    .keyID(kid)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A verifier config: the given algorithms, no typ check, 30 s skew. */
    public static TokenVerifier.Config config(Set<String> algorithms, String typ) {
        return new TokenVerifier.Config(
                ISSUER,
                AUDIENCE,
                URI.create("https://idp.pyerp.example/jwks"),
                algorithms,
                typ,
                Duration.ofSeconds(30),
                Duration.ofSeconds(2));
    }

    /** A verifier over {@link #PUBLIC_JWKS} held in memory. */
    public static TokenVerifier verifier(Set<String> algorithms, String typ) {
        return new TokenVerifier(config(algorithms, typ), new ImmutableJWKSet<SecurityContext>(PUBLIC_JWKS));
    }

    /** Claims a valid pyERP token carries: iss, aud, sub, tenant, roles, warehouses, iat, exp (+10 min). */
    public static JWTClaimsSet.Builder claims(String sub, String tenant) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(sub)
                .claim("tenant", tenant)
                .claim("roles", List.of("inventory:read", "sales:read"))
                .claim("warehouses", List.of("WH-1", "WH-2"))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600)));
    }

    /** An ES256 token for {@code alice} of tenant {@code acme}, claims adjusted by {@code edit}. */
    public static String es256(Consumer<JWTClaimsSet.Builder> edit) {
        JWTClaimsSet.Builder b = claims("alice", "acme");
        edit.accept(b);
        return sign(
                EC_KEY,
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(EC_KID)
                        .type(JOSEObjectType.JWT)
                        .build(),
                b.build());
    }

    public static String es256() {
        return es256(b -> {});
    }

    /** An RS256 token for {@code alice} of tenant {@code acme}. */
    public static String rs256(Consumer<JWTClaimsSet.Builder> edit) {
        JWTClaimsSet.Builder b = claims("alice", "acme");
        edit.accept(b);
        return sign(
                RSA_KEY,
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(RSA_KID)
                        .type(JOSEObjectType.JWT)
                        .build(),
                b.build());
    }

    /** Signs with an EC or RSA private key and the given header. */
    public static String sign(com.nimbusds.jose.jwk.JWK key, JWSHeader header, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            if (key instanceof ECKey ec) jwt.sign(new ECDSASigner(ec));
            else if (key instanceof RSAKey rsa) jwt.sign(new RSASSASigner(rsa));
            else throw new IllegalArgumentException("unsupported key type " + key.getKeyType());
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
