package com.pyerp.realtime.core.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The issuer's keys, fetched from its JWKS and cached, with the behaviour RFC 8725 and the issue ask for and
 * nimbus's builder chain does not give in one piece:
 *
 * <ul>
 *   <li>a fresh cache ({@link #FRESH}) answers without a fetch;
 *   <li>a {@code kid} the cache does not hold triggers at most one refresh per {@link #UNKNOWN_KID_REFRESH}; within
 *       that interval it finds no key, which the verifier reports as a bad token (401), never a server error;
 *   <li>when the JWKS cannot be fetched, the last good set is served for {@code outageTolerance}; only without a
 *       usable set does the caller get a {@link KeySourceException} (a 500: the client may retry);
 *   <li>a failed fetch is retried at most once per {@link #FAILED_FETCH_RETRY}, so an identity-provider outage
 *       costs the provider one request per second per container, and the first connect after it ends recovers.
 * </ul>
 *
 * Thread-safe; fetches are serialised.
 */
public final class JwksKeys implements JWKSource<SecurityContext> {
    /** How long a fetched set is used without asking the issuer again. */
    public static final Duration FRESH = Duration.ofMinutes(5);
    /** At most one refresh for an unknown {@code kid} in this interval (kid is untrusted input). */
    public static final Duration UNKNOWN_KID_REFRESH = Duration.ofSeconds(10);
    /** At most one fetch attempt in this interval after a failed one. */
    public static final Duration FAILED_FETCH_RETRY = Duration.ofSeconds(1);

    /** Fetches the set; throws on any failure (timeout, HTTP error, bad JSON). */
    @FunctionalInterface
    public interface Fetcher {
        JWKSet fetch() throws Exception;
    }

    private final Fetcher fetcher;
    private final Duration outageTolerance;
    private final Clock clock;

    private JWKSet cached;
    private Instant fetchedAt = Instant.MIN;
    private Instant lastAttempt = Instant.MIN;
    private Instant lastKidRefresh = Instant.MIN;
    private boolean lastAttemptFailed;

    public JwksKeys(Fetcher fetcher, Duration outageTolerance, Clock clock) {
        this.fetcher = fetcher;
        this.outageTolerance = outageTolerance;
        this.clock = clock;
    }

    /** Over HTTP(S) with nimbus's loader: timeouts on connect and read, a 256 KB size limit. */
    public static JwksKeys fromUrl(java.net.URL url, Duration httpTimeout, Duration outageTolerance) {
        int t = (int) httpTimeout.toMillis();
        return new JwksKeys(() -> JWKSet.load(url, t, t, 256 * 1024), outageTolerance, Clock.systemUTC());
    }

    @Override
    public synchronized List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        Instant now = clock.instant();
        if (cached == null || now.isAfter(fetchedAt.plus(FRESH))) {
            refresh(now);
        } else {
            List<JWK> found = selector.select(cached);
            if (!found.isEmpty()) return found;
            // an unknown kid: maybe the issuer rotated its keys; ask again, but not for every forged token
            if (now.isAfter(lastKidRefresh.plus(UNKNOWN_KID_REFRESH))) {
                lastKidRefresh = now;
                refresh(now);
            }
        }
        return selector.select(cached);
    }

    /** Fetches; on failure keeps a set younger than the outage tolerance, otherwise throws. */
    private void refresh(Instant now) throws KeySourceException {
        if (lastAttemptFailed && now.isBefore(lastAttempt.plus(FAILED_FETCH_RETRY))) {
            if (usable(now)) return;
            throw new KeySourceException("the issuer's JWK set could not be fetched (retried at most once a second)");
        }
        lastAttempt = now;
        try {
            JWKSet set = fetcher.fetch();
            if (set == null) throw new IllegalStateException("empty answer");
            cached = set;
            fetchedAt = now;
            lastAttemptFailed = false;
        } catch (Exception e) {
            lastAttemptFailed = true;
            if (usable(now)) return; // serve the last good keys through the outage
            throw new KeySourceException("the issuer's JWK set could not be fetched: " + e.getMessage(), e);
        }
    }

    private boolean usable(Instant now) {
        return cached != null && !now.isAfter(fetchedAt.plus(FRESH).plus(outageTolerance));
    }
}
