package com.pyerp.realtime.core.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The registry of connections and channel subscriptions.
 *
 * <p>Channel keys are tenant-scoped ({@link ChannelKey}), so one tenant never reaches another's subscribers.
 *
 * <p>Guarantees every implementation keeps (checked by {@code ConnectionRegistryContract} in the core's tests):
 * <ul>
 *   <li>Every operation is a single-item write or a read; no transactions. Cleanup is idempotent.</li>
 *   <li>{@link #subscribe} on an unknown or expired connection throws {@link ConnectionGoneException} and
 *       leaves no subscription behind, even when it races with {@link #remove}.</li>
 *   <li>Expired connections and subscriptions are filtered on read: TTL deletion may lag.</li>
 *   <li>{@link #subscribers} streams: a 50,000-member channel is never loaded into memory at once.
 *       Close the stream (try-with-resources) when not reading it to the end.</li>
 *   <li>Infrastructure failures surface as {@link RegistryUnavailableException}, never as a vendor exception.</li>
 *   <li>Bad connection ids, tenants, user ids and channel keys throw {@link IllegalArgumentException} before
 *       any write ({@link RegistryKeys} holds the rules, shared by every implementation).</li>
 * </ul>
 * Time is passed in, so tests are deterministic.
 */
public interface ConnectionRegistry {

    /** Stores a connection; registering the same id again replaces it. */
    void register(Connection connection);

    /** The connection, unless unknown or expired at {@code now}. */
    Optional<Connection> find(String connectionId, Instant now);

    /**
     * Subscribes a connection to a channel; subscribing twice is not an error.
     *
     * @return true when the subscription is new, false when it already existed
     * @throws ConnectionGoneException when the connection is unknown or expired
     */
    boolean subscribe(String connectionId, String channelKey, Instant now);

    /** Removes one subscription. @return true when it existed. Unknown connection or channel: false, no error. */
    boolean unsubscribe(String connectionId, String channelKey);

    /** Removes a connection and all its subscriptions. Idempotent: removing an unknown id is fine. */
    void remove(String connectionId);

    /** The channel keys a connection is subscribed to (unexpired). */
    List<String> channelsOf(String connectionId, Instant now);

    /** The live subscribers of a channel, streamed page by page. */
    Stream<Subscriber> subscribers(String channelKey, Instant now);

    /** The live connections of one user of one tenant (per-user notifications, per-user limits). */
    List<Connection> connectionsOf(String tenant, String userId, Instant now);

    /**
     * Records the expiry of the token a {@code refresh} handed over (a single-item conditional write).
     *
     * @throws ConnectionGoneException when the connection is unknown or expired
     */
    default void extendSession(String connectionId, Instant tokenExpiresAt, Instant now) {
        throw new UnsupportedOperationException("extendSession");
    }

    /**
     * The live connections whose token expired before {@code cutoff} (the session sweep closes them). May read the
     * whole connections table: call it on a schedule, not per request.
     */
    default List<Connection> expiredSessions(Instant cutoff, Instant now) {
        throw new UnsupportedOperationException("expiredSessions");
    }

    /**
     * Counts one use of a connection's budget named {@code bucket} (e.g. client publish on one channel): true while
     * fewer than {@code limit} uses fell in the current fixed window of {@code window} (whole seconds), false when
     * the budget is spent or the connection is unknown. Shared by every function instance, so the limit holds
     * however API Gateway spreads one connection's frames. Single-item conditional writes on the connection.
     */
    default boolean tryAcquire(String connectionId, String bucket, int limit, Duration window, Instant now) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no per-connection budgets");
    }
}
