package com.pyerp.realtime.local;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.pyerp.realtime.events.Tenants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Local-only token minting: an ES256 development key (kept in a key file so tokens minted by the CLI
 * match the running gateway), its public JWKS, and signed tokens with the claims pyERP uses. The authorizer
 * validates these like production tokens, through the JWKS URL in its environment: there is no code path
 * that skips a check.
 */
final class DevTokens {
    static final String ISSUER = "pyerp-local-gateway";
    static final String AUDIENCE = "pyerp-realtime";

    private final ECKey key;

    private DevTokens(ECKey key) {
        this.key = key;
    }

    /** Loads the key file, or creates it (owner-only permissions) when missing. */
    static DevTokens fromKeyFile(Path file) throws IOException {
        if (Files.exists(file)) {
            try {
                return new DevTokens(ECKey.parse(Files.readString(file, StandardCharsets.UTF_8)));
            } catch (ParseException e) {
                throw new IOException(
                        "the development key file " + file + " is not a JWK (delete it to make a new one): "
                                + e.getMessage(),
                        e);
            }
        }
        ECKey k = generate();
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Files.writeString(file, k.toJSONString(), StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        return new DevTokens(k);
    }

    static DevTokens ephemeral() {
        return new DevTokens(generate());
    }

    private static ECKey generate() {
        try {
            return new ECKeyGenerator(Curve.P_256)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .keyID("local-" + UUID.randomUUID().toString().substring(0, 8))
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an EC key", e);
        }
    }

    /** The public JWKS the authorizer fetches. */
    String jwksJson() {
        return new JWKSet(key.toPublicJWK()).toString(true);
    }

    /**
     * Signs a token.
     *
     * @param sub    the user id
     * @param tenant the tenant
     * @param roles  roles such as inventory:read
     * @param warehouses data scope; {@code *} = all
     * @param ttl    lifetime; negative gives an already expired token (for tests)
     * @param audience the aud claim (tests pass a wrong one)
     */
    String mint(String sub, String tenant, List<String> roles, List<String> warehouses, Duration ttl, String audience) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(audience)
                .subject(sub)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now.minusSeconds(1)))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .claim(Tenants.CLAIM, tenant)
                .claim("roles", roles);
        if (!warehouses.isEmpty()) claims.claim("warehouses", warehouses);
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .type(JOSEObjectType.JWT)
                        .keyID(key.getKeyID())
                        .build(),
                claims.build());
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return jwt.serialize();
    }

    static Map<String, Object> describe(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().toJSONObject();
        } catch (ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
