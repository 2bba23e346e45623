package com.pyerp.realtime.core.registry;

import com.pyerp.realtime.core.auth.Principal;
import java.time.Instant;
import java.util.Objects;

/**
 * A live WebSocket connection as the registry keeps it.
 *
 * @param connectionId API Gateway's connection id
 * @param principal    who connected (from the authorizer context)
 * @param connectedAt  when $connect ran
 * @param expiresAt    after this instant the connection counts as gone even if no $disconnect arrived
 *                     (API Gateway's 2-hour limit plus a margin); also the DynamoDB TTL attribute
 * @param tokenExpiresAt when the connection's token expires (the handshake token's {@code exp}, later the one of
 *                     the last {@code refresh}); null when unknown (never checked)
 */
public record Connection(
        String connectionId, Principal principal, Instant connectedAt, Instant expiresAt, Instant tokenExpiresAt) {
    /** Without a token expiry. */
    public Connection(String connectionId, Principal principal, Instant connectedAt, Instant expiresAt) {
        this(connectionId, principal, connectedAt, expiresAt, null);
    }

    public Connection {
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(connectedAt, "connectedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public boolean isExpired(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
