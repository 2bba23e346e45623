package com.pyerp.realtime.core.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A registry that passes every call to another one: the base of the decorators (presence announcements, and the
 * tests' counting or failing registries), which override only the calls they add to.
 */
public abstract class ForwardingConnectionRegistry implements ConnectionRegistry {
    private final ConnectionRegistry delegate;

    protected ForwardingConnectionRegistry(ConnectionRegistry delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The registry every call goes to. */
    public ConnectionRegistry delegate() {
        return delegate;
    }

    @Override
    public void register(Connection connection) {
        delegate.register(connection);
    }

    @Override
    public Optional<Connection> find(String connectionId, Instant now) {
        return delegate.find(connectionId, now);
    }

    @Override
    public boolean subscribe(String connectionId, String channelKey, Instant now) {
        return delegate.subscribe(connectionId, channelKey, now);
    }

    @Override
    public boolean unsubscribe(String connectionId, String channelKey) {
        return delegate.unsubscribe(connectionId, channelKey);
    }

    @Override
    public void remove(String connectionId) {
        delegate.remove(connectionId);
    }

    @Override
    public List<String> channelsOf(String connectionId, Instant now) {
        return delegate.channelsOf(connectionId, now);
    }

    @Override
    public Stream<Subscriber> subscribers(String channelKey, Instant now) {
        return delegate.subscribers(channelKey, now);
    }

    @Override
    public List<Connection> connectionsOf(String tenant, String userId, Instant now) {
        return delegate.connectionsOf(tenant, userId, now);
    }

    @Override
    public void extendSession(String connectionId, Instant tokenExpiresAt, Instant now) {
        delegate.extendSession(connectionId, tokenExpiresAt, now);
    }

    @Override
    public List<Connection> expiredSessions(Instant cutoff, Instant now) {
        return delegate.expiredSessions(cutoff, now);
    }

    @Override
    public boolean tryAcquire(String connectionId, String bucket, int limit, Duration window, Instant now) {
        return delegate.tryAcquire(connectionId, bucket, limit, window, now);
    }
}
