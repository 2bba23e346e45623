package com.pyerp.realtime.core.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.events.Tenants;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Verifies a JWT the way RFC 8725 asks: an allow-list of asymmetric algorithms, keys from a JWKS
 * (cached, rate-limited, outage-tolerant, with timeouts: {@link JwksKeys}), and the checks of
 * {@code iss}, {@code aud}, {@code exp}, {@code nbf} (with a small skew), a required {@code sub} and
 * {@code tenant}, {@code typ} when configured (short or {@code application/} form), and an optional maximum
 * token age ({@code iat}). The {@code kid} only selects among the JWKS's keys.
 * Thread-safe; build one per container and reuse it.
 */
public final class TokenVerifier {
    /** Why a token was refused: safe to log (never contains the token). */
    public static final class InvalidTokenException extends Exception {
        public InvalidTokenException(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /** The JWKS could not be fetched (outage, timeout): the connect fails with a server error, never a 401. */
    public static final class KeysUnavailableException extends RuntimeException {
        public KeysUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final DefaultJWTProcessor<SecurityContext> processor;

    public TokenVerifier(Config config) {
        this(config, JwksKeys.fromUrl(url(config), config.httpTimeout(), config.jwksOutageTolerance()));
    }

    /** With an explicit key source (tests, or a JWKS the caller already holds). */
    public TokenVerifier(Config config, JWKSource<SecurityContext> keys) {
        Set<JWSAlgorithm> algs =
                config.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algs, keys));
        if (config.typ() != null) {
            String expected = shortTyp(config.typ());
            // RFC 8725 §3.11 / RFC 7515 §4.1.9: "at+jwt" and "application/at+jwt" are the same type, any case
            processor.setJWSTypeVerifier((type, context) -> {
                if (type == null || !shortTyp(type.getType()).equals(expected))
                    throw new BadJOSEException("typ must be " + config.typ() + ", got " + type);
            });
        } else {
            // JWT_TYP empty means "not checked" (RealtimeEnv); nimbus's default would refuse every typ but JWT
            processor.setJWSTypeVerifier((type, context) -> {});
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                Set.of(config.audience()),
                new JWTClaimsSet.Builder().issuer(config.issuer()).build(),
                new HashSet<>(List.of("sub", "exp", "iss", "aud", Tenants.CLAIM)),
                Set.of());
        claims.setMaxClockSkew((int) config.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
        this.config = config;
    }

    private final Config config;

    /** A typ without its optional {@code application/} prefix, lower case. */
    static String shortTyp(String typ) {
        String t = typ.trim().toLowerCase(java.util.Locale.ROOT);
        return t.startsWith("application/") ? t.substring("application/".length()) : t;
    }

    /** With a maximum token age configured: iat is required, not in the future, and at most that old. */
    private void checkAge(JWTClaimsSet claims) throws InvalidTokenException {
        Duration max = config.maxTokenAge();
        if (max == null || max.isZero()) return;
        java.util.Date iat = claims.getIssueTime();
        if (iat == null) throw new InvalidTokenException("iat claim is required (a maximum token age is set)", null);
        java.time.Instant now = java.time.Instant.now();
        java.time.Instant issued = iat.toInstant();
        if (issued.isAfter(now.plus(config.clockSkew()))) throw new InvalidTokenException("iat is in the future", null);
        if (issued.plus(max).plus(config.clockSkew()).isBefore(now))
            throw new InvalidTokenException(
                    "token is older than the maximum token age of " + max.toSeconds() + " s", null);
        java.util.Date exp = claims.getExpirationTime();
        if (exp != null && Duration.between(issued, exp.toInstant()).compareTo(max) > 0)
            throw new InvalidTokenException(
                    "token lifetime (exp - iat) exceeds the maximum token age of " + max.toSeconds() + " s", null);
    }

    /** Verifies the token and returns who it names. */
    public Principal verify(String token) throws InvalidTokenException {
        if (token == null || token.isBlank()) throw new InvalidTokenException("no token", null);
        if (token.length() > 8192) throw new InvalidTokenException("token longer than 8192 characters", null);
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new InvalidTokenException("token is not a well-formed JWT", e);
        } catch (BadJWTException e) {
            throw new InvalidTokenException("token claims rejected: " + e.getMessage(), e);
        } catch (BadJOSEException e) {
            throw new InvalidTokenException("token rejected: " + e.getMessage(), e);
        } catch (com.nimbusds.jose.KeySourceException e) {
            // the issuer's JWKS is unreachable: not the client's fault, so not a 401
            throw new KeysUnavailableException("the issuer's keys (JWKS) could not be fetched: " + e.getMessage(), e);
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new InvalidTokenException("token could not be verified: " + e.getMessage(), e);
        }
        checkAge(claims);
        try {
            Object tenant = claims.getClaim(Tenants.CLAIM);
            if (!(tenant instanceof String t) || !Tenants.isValid(t)) {
                throw new InvalidTokenException(Tenants.CLAIM + " claim must be a string of " + Tenants.RULE, null);
            }
            String sub = claims.getSubject();
            if (sub == null
                    || sub.isBlank()
                    || sub.length() > 256
                    || sub.chars().anyMatch(Character::isISOControl)) {
                // the registry refuses such a user id, and a blank one cannot be read back from the authorizer context
                throw new InvalidTokenException(
                        "sub claim must be a non-blank string of at most 256 characters without control characters",
                        null);
            }
            Set<String> roles = stringSet(claims, "roles");
            Map<String, Set<String>> scopes = new TreeMap<>();
            for (String claim : Principal.SCOPE_CLAIMS) {
                if (claims.getClaim(claim) != null) scopes.put(claim, stringSet(claims, claim));
            }
            java.util.Date exp = claims.getExpirationTime();
            return new Principal(sub, t, roles, scopes, exp == null ? null : exp.toInstant());
        } catch (ParseException e) {
            throw new InvalidTokenException("token claim has the wrong type: " + e.getMessage(), e);
        }
    }

    private static Set<String> stringSet(JWTClaimsSet claims, String name) throws ParseException {
        List<String> list = claims.getStringListClaim(name);
        if (list == null) return Set.of();
        Set<String> out = new LinkedHashSet<>();
        for (String s : list) if (s != null && !s.isBlank() && !s.contains(",")) out.add(s);
        return out;
    }

    private static java.net.URL url(Config c) {
        try {
            return c.jwksUrl().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("JWT_JWKS_URL is not a URL: " + c.jwksUrl(), e);
        }
    }

    /** What the verifier checks. */
    public record Config(
            String issuer,
            String audience,
            java.net.URI jwksUrl,
            Set<String> algorithms,
            String typ,
            Duration clockSkew,
            Duration httpTimeout,
            Duration maxTokenAge,
            Duration jwksOutageTolerance,
            boolean allowPlainHttpJwks) {
        /** Without a maximum token age, and serving cached keys for an hour of JWKS outage. */
        public Config(
                String issuer,
                String audience,
                java.net.URI jwksUrl,
                Set<String> algorithms,
                String typ,
                Duration clockSkew,
                Duration httpTimeout) {
            this(
                    issuer,
                    audience,
                    jwksUrl,
                    algorithms,
                    typ,
                    clockSkew,
                    httpTimeout,
                    Duration.ZERO,
                    Duration.ofHours(1),
                    false);
        }

        public Config {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(audience, "audience");
            Objects.requireNonNull(jwksUrl, "jwksUrl");
            for (String a : algorithms) {
                if (!RealtimeEnv.PERMITTED_ALGORITHMS.contains(a))
                    throw new IllegalArgumentException("algorithm not permitted: " + a);
            }
            if (algorithms.isEmpty()) throw new IllegalArgumentException("no JWS algorithm allowed");
            algorithms = Set.copyOf(algorithms);
            if (maxTokenAge == null) maxTokenAge = Duration.ZERO;
            if (jwksOutageTolerance == null) jwksOutageTolerance = Duration.ZERO;
            if (!allowPlainHttpJwks) requireHttps(jwksUrl);
        }

        /** The JWKS travels over https, except from a loopback address (the local gateway's own JWKS). */
        public static void requireHttps(java.net.URI url) {
            if ("https".equals(url.getScheme())) return;
            String host = url.getHost();
            boolean loopback = host != null
                    && (host.equals("localhost")
                            || host.equals("[::1]")
                            || host.equals("::1")
                            || host.startsWith("127."));
            if (!("http".equals(url.getScheme()) && loopback))
                throw new IllegalArgumentException(
                        "JWT_JWKS_URL must be https (plain http only to a loopback address), got " + url);
        }

        public static Config from(RealtimeEnv env) {
            return new Config(
                    env.jwtIssuer(),
                    env.jwtAudience(),
                    env.jwksUrl(),
                    env.jwtAlgorithms(),
                    env.jwtTyp().orElse(null),
                    env.clockSkew(),
                    Duration.ofSeconds(2),
                    env.maxTokenAge(),
                    env.jwksOutageTolerance(),
                    env.jwksAllowHttp());
        }
    }
}
