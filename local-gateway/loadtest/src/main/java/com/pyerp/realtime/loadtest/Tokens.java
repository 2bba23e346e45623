package com.pyerp.realtime.loadtest;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.pyerp.realtime.events.Tenants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Where the clients' tokens come from: one fixed token, a command that prints one (run once, or once per client
 * when it contains {@code {i}}), or a development signing key (a private JWK, ES256 or RS256) that mints one token
 * per client ({@code sub} = {@code loadtest-<i>}), verified by the target through its JWKS like any other token.
 */
abstract sealed class Tokens {

    /** The token of client {@code i} (0-based). */
    abstract String tokenFor(int i) throws TargetException;

    static Tokens from(LoadTestOptions o) throws TargetException {
        if (o.token() != null) return new Fixed(o.token().trim());
        if (o.tokenCommand() != null) return new Command(o.tokenCommand());
        Duration ttl = o.duration().plus(Duration.ofHours(1));
        return new Signed(o.signingKey(), o.issuer(), o.audience(), o.tenant(), o.roles(), ttl);
    }

    static final class Fixed extends Tokens {
        private final String token;

        Fixed(String token) {
            this.token = token;
        }

        @Override
        String tokenFor(int i) {
            return token;
        }
    }

    static final class Command extends Tokens {
        private final String command;
        private final boolean perClient;
        private final ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();

        Command(String command) {
            this.command = command;
            this.perClient = command.contains("{i}");
        }

        @Override
        String tokenFor(int i) throws TargetException {
            String cmd = perClient ? command.replace("{i}", Integer.toString(i)) : command;
            String cached = cache.get(cmd);
            if (cached != null) return cached;
            String token = run(cmd);
            cache.put(cmd, token);
            return token;
        }

        private static String run(String cmd) throws TargetException {
            try {
                Process p = new ProcessBuilder("sh", "-c", cmd)
                        .redirectInput(ProcessBuilder.Redirect.PIPE)
                        .start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new TargetException("--token-command did not finish within 60 s: " + cmd);
                }
                String token = new String(out, StandardCharsets.UTF_8).trim();
                if (p.exitValue() != 0)
                    throw new TargetException("--token-command failed with exit code " + p.exitValue() + ": "
                            + (err.isEmpty() ? cmd : err.lines().findFirst().orElse(err)));
                if (token.isEmpty() || token.lines().count() != 1)
                    throw new TargetException("--token-command must print exactly one line, the token; it printed "
                            + token.lines().count() + " lines");
                return token;
            } catch (IOException e) {
                throw new TargetException("--token-command could not run: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TargetException("interrupted while running --token-command", e);
            }
        }
    }

    static final class Signed extends Tokens {
        private final JWK key;
        private final String issuer, audience, tenant;
        private final java.util.List<String> roles;
        private final Duration ttl;

        Signed(
                java.nio.file.Path file,
                String issuer,
                String audience,
                String tenant,
                java.util.List<String> roles,
                Duration ttl)
                throws TargetException {
            try {
                key = JWK.parse(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new TargetException("cannot read --signing-key " + file + ": " + e.getMessage(), e);
            } catch (java.text.ParseException e) {
                throw new TargetException("--signing-key " + file + " is not a JWK: " + e.getMessage(), e);
            }
            if (!key.isPrivate())
                throw new TargetException(
                        "--signing-key " + file + " holds a public key only; tokens need the private key");
            if (!(key instanceof ECKey) && !(key instanceof RSAKey))
                throw new TargetException("--signing-key " + file + " must be an EC (ES256) or RSA (RS256) key");
            this.issuer = issuer;
            this.audience = audience;
            this.tenant = tenant;
            this.roles = roles;
            this.ttl = ttl;
        }

        @Override
        String tokenFor(int i) throws TargetException {
            Instant now = Instant.now();
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issuer(issuer)
                    .audience(audience)
                    .subject("loadtest-" + i)
                    .issueTime(Date.from(now))
                    .notBeforeTime(Date.from(now.minusSeconds(1)))
                    .expirationTime(Date.from(now.plus(ttl)))
                    .jwtID(UUID.randomUUID().toString())
                    .claim(Tenants.CLAIM, tenant)
                    .claim("roles", roles)
                    .build();
            boolean ec = key instanceof ECKey;
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(ec ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256)
                            .type(JOSEObjectType.JWT)
                            .keyID(key.getKeyID())
                            .build(),
                    claims);
            try {
                jwt.sign(ec ? new ECDSASigner((ECKey) key) : new RSASSASigner((RSAKey) key));
            } catch (JOSEException e) {
                throw new TargetException("cannot sign a token with --signing-key: " + e.getMessage(), e);
            }
            return jwt.serialize();
        }
    }
}
