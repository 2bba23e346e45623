package com.pyerp.realtime.core.session;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.auth.TokenVerifier;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.log.AuditLog;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.protocol.ClientCommand;
import com.pyerp.realtime.core.protocol.ErrorCode;
import com.pyerp.realtime.core.protocol.ServerFrames;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.ConnectionGoneException;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What happens to a session after {@code $connect}: its token's lifetime (checked on every command and by a
 * scheduled sweep), {@code refresh}, the per-connection message rate, the per-user connection limit, and
 * revocation by the ERP. One instance per container, shared by the command handler, the sweep and the
 * revocation handler (cloud), or the same handlers in the local gateway.
 *
 * <p>Worst-case delay between a token's expiry and the socket's close: the clock skew plus, for a connection that
 * sends nothing, one {@link #SWEEP_INTERVAL} (the sweep's schedule); a command after the expiry is answered with
 * {@code TOKEN_EXPIRED} and the socket closed at once.
 */
public final class SessionGuard {
    private static final JsonLog LOG = JsonLog.get(SessionGuard.class);

    /** How often the session sweep runs: the stack's schedule and the local gateway's timer. */
    public static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    /** The catalog event that ends a user's sessions (catalog.json {@code sessions-revoked}). */
    public static final String REVOKED_SOURCE = "pyerp.identity";

    public static final String REVOKED_DETAIL_TYPE = "SessionsRevoked";
    /** The name of the rule that sends it to the session function (cloud) or handler (local gateway). */
    public static final String REVOKED_RULE = "sessions-revoked";
    /** That rule's EventBridge pattern. */
    public static final String REVOKED_RULE_PATTERN =
            "{\"source\":[\"" + REVOKED_SOURCE + "\"],\"detail-type\":[\"" + REVOKED_DETAIL_TYPE + "\"]}";

    private final ConnectionRegistry registry;
    /** Built at the first refresh: the only command that verifies a token (nimbus and its JWKS stay out of init). */
    private final java.util.function.Supplier<TokenVerifier> verifier;

    private final ConnectionCloser closer;
    private final RateLimiter limiter;
    private final Clock clock;
    private final Duration skew;
    private final int maxConnectionsPerUser;

    public SessionGuard(
            ConnectionRegistry registry,
            TokenVerifier verifier,
            ConnectionCloser closer,
            RateLimiter limiter,
            Clock clock,
            Duration skew,
            int maxConnectionsPerUser) {
        this(registry, () -> verifier, closer, limiter, clock, skew, maxConnectionsPerUser);
    }

    private SessionGuard(
            ConnectionRegistry registry,
            java.util.function.Supplier<TokenVerifier> verifier,
            ConnectionCloser closer,
            RateLimiter limiter,
            Clock clock,
            Duration skew,
            int maxConnectionsPerUser) {
        this.registry = registry;
        this.verifier = verifier;
        this.closer = closer;
        this.limiter = limiter;
        this.clock = clock;
        this.skew = skew;
        this.maxConnectionsPerUser = maxConnectionsPerUser;
    }

    public static SessionGuard fromEnv(ConnectionRegistry registry, ConnectionCloser closer, RealtimeEnv env) {
        Clock clock = Clock.systemUTC();
        TokenVerifier.Config tokens = TokenVerifier.Config.from(env); // read now: a bad setting fails the init
        return new SessionGuard(
                registry,
                new com.pyerp.realtime.events.Lazy<>(() -> new TokenVerifier(tokens)),
                closer,
                new RateLimiter(env.rateLimitPerSecond(), env.rateLimitBurst(), env.rateLimitStrikes(), clock),
                clock,
                env.clockSkew(),
                env.maxConnectionsPerUser());
    }

    /** Thrown by {@link #checkConnectionLimit}: the handshake is refused with HTTP 429 ({@code CONNECTION_LIMIT}). */
    public static final class ConnectionLimitException extends RuntimeException {
        public ConnectionLimitException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Refuses a new connection when the user already holds {@code MAX_CONNECTIONS_PER_USER} live ones. A check, then
     * a write: N concurrent handshakes of one user can exceed the limit by up to N-1 (like decision 13).
     */
    public void checkConnectionLimit(String connectionId, Principal who, Instant now) {
        int held = registry.connectionsOf(who.tenant(), who.userId(), now).size();
        if (held >= maxConnectionsPerUser) {
            String reason = "the user already holds " + held + " connections (limit " + maxConnectionsPerUser + ")";
            AuditLog.refused(
                    "connect",
                    reason,
                    "code",
                    ErrorCode.CONNECTION_LIMIT.name(),
                    "userId",
                    who.userId(),
                    "tenant",
                    who.tenant(),
                    "connectionId",
                    connectionId);
            throw new ConnectionLimitException(reason);
        }
    }

    /**
     * Runs before every command: the rate limit, then the token's lifetime.
     *
     * @return empty to go on with the command; otherwise the reply (an error frame), or {@code Optional.of("")}
     *     when the connection was closed and nothing is to be answered
     */
    public Optional<String> beforeCommand(String connectionId, Principal who) {
        switch (limiter.tryAcquire(connectionId)) {
            case LIMITED -> {
                AuditLog.refused(
                        "message",
                        "rate limited",
                        "code",
                        ErrorCode.RATE_LIMITED.name(),
                        "userId",
                        who.userId(),
                        "tenant",
                        who.tenant());
                return Optional.of(ServerFrames.error(
                        ErrorCode.RATE_LIMITED, null, "over the connection's message rate; the frame was dropped"));
            }
            case ABUSE -> {
                AuditLog.refused(
                        "message",
                        "rate limit abused; closing",
                        "code",
                        ErrorCode.RATE_LIMIT_ABUSE.name(),
                        "userId",
                        who.userId(),
                        "tenant",
                        who.tenant());
                close(connectionId, ErrorCode.RATE_LIMIT_ABUSE, "kept sending over the message rate; closing");
                return Optional.of("");
            }
            case OK -> {}
        }
        Instant now = clock.instant();
        if (who.tokenExpiresAt() == null || now.isBefore(who.tokenExpiresAt().plus(skew))) return Optional.empty();
        // the handshake token expired: a refresh may have replaced it (the registry holds the latest expiry)
        Optional<Connection> c = registry.find(connectionId, now);
        if (c.isPresent()
                && c.get().tokenExpiresAt() != null
                && now.isBefore(c.get().tokenExpiresAt().plus(skew))) return Optional.empty();
        if (c.isEmpty()) return Optional.empty(); // unknown to the registry: the command answers NOT_CONNECTED
        expire(connectionId, who, c.get().tokenExpiresAt());
        return Optional.of("");
    }

    /** The {@code refresh} command: same checks as the handshake, same sub and tenant; records the new expiry. */
    public String refresh(String connectionId, Principal who, ClientCommand cmd) {
        Principal fresh;
        try {
            fresh = verifier.get().verify(cmd.token());
        } catch (TokenVerifier.InvalidTokenException e) {
            return refuseRefresh(who, cmd, e.getMessage());
        } catch (TokenVerifier.KeysUnavailableException e) {
            return refuseRefresh(who, cmd, "the issuer's keys are unavailable; retry");
        }
        if (!fresh.userId().equals(who.userId()) || !fresh.tenant().equals(who.tenant()))
            return refuseRefresh(who, cmd, "the token names another sub or tenant than the connection");
        if (fresh.tokenExpiresAt() == null) return refuseRefresh(who, cmd, "the token has no exp");
        try {
            registry.extendSession(connectionId, fresh.tokenExpiresAt(), clock.instant());
        } catch (ConnectionGoneException e) {
            return ServerFrames.error(ErrorCode.NOT_CONNECTED, cmd.id(), "this connection is no longer registered");
        }
        AuditLog.allowed(
                "refresh",
                "token refreshed",
                "userId",
                who.userId(),
                "tenant",
                who.tenant(),
                "expiresAt",
                fresh.tokenExpiresAt().toString());
        return ServerFrames.refreshed(cmd, fresh.tokenExpiresAt());
    }

    private String refuseRefresh(Principal who, ClientCommand cmd, String reason) {
        AuditLog.refused(
                "refresh",
                reason,
                "code",
                ErrorCode.REFRESH_REFUSED.name(),
                "userId",
                who.userId(),
                "tenant",
                who.tenant());
        return ServerFrames.error(ErrorCode.REFRESH_REFUSED, cmd.id(), "refresh refused: " + reason);
    }

    /** The scheduled sweep: closes every connection whose token expired (plus the skew). @return how many */
    public int sweep() {
        Instant now = clock.instant();
        List<Connection> expired = registry.expiredSessions(now.minus(skew), now);
        for (Connection c : expired) {
            JsonLog.withContext(
                    java.util.Map.of("connectionId", c.connectionId()),
                    () -> expire(c.connectionId(), c.principal(), c.tokenExpiresAt()));
        }
        if (!expired.isEmpty()) LOG.info("session sweep", "closed", expired.size());
        return expired.size();
    }

    /** Closes every connection of one user (the ERP's revocation event). @return how many */
    public int revoke(String tenant, String userId, String reason) {
        List<Connection> conns = registry.connectionsOf(tenant, userId, clock.instant());
        for (Connection c : conns) {
            AuditLog.refused(
                    "session",
                    "sessions revoked" + (reason == null || reason.isBlank() ? "" : ": " + reason),
                    "code",
                    ErrorCode.SESSION_REVOKED.name(),
                    "userId",
                    userId,
                    "tenant",
                    tenant,
                    "connectionId",
                    c.connectionId());
            close(c.connectionId(), ErrorCode.SESSION_REVOKED, "the session was revoked; sign in again");
            registry.remove(c.connectionId());
        }
        AuditLog.allowed("revoke", "sessions revoked", "userId", userId, "tenant", tenant, "connections", conns.size());
        return conns.size();
    }

    /** Forgets per-connection state ($disconnect). */
    public void forget(String connectionId) {
        limiter.forget(connectionId);
    }

    private void expire(String connectionId, Principal who, Instant exp) {
        AuditLog.refused(
                "session",
                "token expired" + (exp == null ? "" : " at " + exp),
                "code",
                ErrorCode.TOKEN_EXPIRED.name(),
                "userId",
                who.userId(),
                "tenant",
                who.tenant(),
                "connectionId",
                connectionId);
        close(connectionId, ErrorCode.TOKEN_EXPIRED, "the token expired; reconnect with a fresh token");
    }

    private void close(String connectionId, ErrorCode code, String message) {
        try {
            closer.close(connectionId, ServerFrames.error(code, null, message));
        } catch (RuntimeException e) {
            LOG.warn("closing the connection failed", "connectionId", connectionId, "error", e.toString());
        }
    }
}
