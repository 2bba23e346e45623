package com.pyerp.realtime.core.registry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The registry in memory: product code, not a test double. The local gateway uses it by default and most
 * tests run on it. Thread-safe; one lock per connection keeps subscribe and remove from leaving orphans.
 */
public final class InMemoryConnectionRegistry implements ConnectionRegistry {
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    /** channel key -> connection id -> subscriber */
    private final Map<String, Map<String, Subscriber>> channels = new ConcurrentHashMap<>();
    /** connection id -> channel keys; also the per-connection lock */
    private final Map<String, Set<String>> byConnection = new ConcurrentHashMap<>();

    @Override
    public void register(Connection c) {
        RegistryKeys.connectionId(c.connectionId());
        RegistryKeys.principal(c.principal());
        while (true) {
            Set<String> mine = lockFor(c.connectionId());
            synchronized (mine) {
                if (byConnection.get(c.connectionId()) != mine) continue; // detached by a racing remove()
                connections.put(c.connectionId(), c);
                return;
            }
        }
    }

    @Override
    public Optional<Connection> find(String connectionId, Instant now) {
        RegistryKeys.connectionId(connectionId);
        Connection c = connections.get(connectionId);
        return c == null || c.isExpired(now) ? Optional.empty() : Optional.of(c);
    }

    @Override
    public boolean subscribe(String connectionId, String channelKey, Instant now) {
        RegistryKeys.connectionId(connectionId);
        RegistryKeys.channelKey(channelKey);
        while (true) {
            // register() creates the set before it stores the connection: no set, no connection
            Set<String> mine = byConnection.get(connectionId);
            if (mine == null) throw new ConnectionGoneException(connectionId);
            synchronized (mine) {
                // remove() detaches the set it cleaned, and a register() after it makes a new one; writing through
                // the detached set would leave a channel entry that no later remove() finds: take the current set
                if (byConnection.get(connectionId) != mine) continue;
                Connection c = connections.get(connectionId);
                if (c == null || c.isExpired(now)) {
                    throw new ConnectionGoneException(connectionId);
                }
                boolean added = mine.add(channelKey);
                Subscriber sub = new Subscriber(
                        connectionId, c.principal().userId(), c.principal().roles());
                // compute, not computeIfAbsent + put: a racing unsubscribe of another connection may drop the
                // channel's map when it empties, and a put into the dropped map would lose this subscriber
                channels.compute(channelKey, (k, subs) -> {
                    Map<String, Subscriber> m = subs == null ? new ConcurrentHashMap<>() : subs;
                    m.put(connectionId, sub);
                    return m;
                });
                return added;
            }
        }
    }

    @Override
    public boolean unsubscribe(String connectionId, String channelKey) {
        RegistryKeys.connectionId(connectionId);
        RegistryKeys.channelKey(channelKey);
        Set<String> mine = byConnection.get(connectionId);
        if (mine == null) return false;
        synchronized (mine) {
            boolean removed = mine.remove(channelKey);
            dropSubscriber(channelKey, connectionId);
            return removed;
        }
    }

    @Override
    public void remove(String connectionId) {
        RegistryKeys.connectionId(connectionId);
        budgets.remove(connectionId);
        Set<String> mine = byConnection.get(connectionId);
        if (mine == null) {
            connections.remove(connectionId);
            return;
        }
        synchronized (mine) {
            connections.remove(connectionId);
            for (String key : mine) dropSubscriber(key, connectionId);
            mine.clear();
            byConnection.remove(connectionId, mine);
        }
    }

    @Override
    public List<String> channelsOf(String connectionId, Instant now) {
        if (find(connectionId, now).isEmpty()) return List.of();
        Set<String> mine = byConnection.get(connectionId);
        if (mine == null) return List.of();
        synchronized (mine) {
            return List.copyOf(mine);
        }
    }

    @Override
    public Stream<Subscriber> subscribers(String channelKey, Instant now) {
        RegistryKeys.channelKey(channelKey);
        Map<String, Subscriber> subs = channels.get(channelKey);
        if (subs == null) return Stream.empty();
        return new ArrayList<>(subs.values())
                .stream().filter(s -> find(s.connectionId(), now).isPresent());
    }

    @Override
    public List<Connection> connectionsOf(String tenant, String userId, Instant now) {
        RegistryKeys.tenant(tenant);
        RegistryKeys.userId(userId);
        List<Connection> out = new ArrayList<>();
        for (Connection c : connections.values()) {
            if (!c.isExpired(now)
                    && c.principal().tenant().equals(tenant)
                    && c.principal().userId().equals(userId)) out.add(c);
        }
        return out;
    }

    /** connection id -> bucket -> {window start (epoch seconds), uses} */
    private final Map<String, Map<String, long[]>> budgets = new ConcurrentHashMap<>();

    @Override
    public boolean tryAcquire(String connectionId, String bucket, int limit, java.time.Duration window, Instant now) {
        RegistryKeys.connectionId(connectionId);
        if (bucket == null || bucket.isEmpty()) throw new IllegalArgumentException("bucket is missing");
        if (find(connectionId, now).isEmpty()) return false;
        long w = now.getEpochSecond() / Math.max(1, window.toSeconds());
        long[] state = budgets.computeIfAbsent(connectionId, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(bucket, k -> new long[] {w, 0});
        synchronized (state) {
            if (state[0] != w) {
                state[0] = w;
                state[1] = 0;
            }
            if (state[1] >= limit) return false;
            state[1]++;
            return true;
        }
    }

    /** Number of registered connections, expired or not (for the local gateway's status page and tests). */
    public int size() {
        return connections.size();
    }

    /** Number of channel keys with at least one subscriber (for tests). */
    public Map<String, Integer> channelSizes() {
        Map<String, Integer> out = new HashMap<>();
        channels.forEach((k, v) -> out.put(k, v.size()));
        return out;
    }

    /** Removes one subscriber, and the channel's map when it empties, atomically per channel. */
    private void dropSubscriber(String channelKey, String connectionId) {
        channels.computeIfPresent(channelKey, (k, subs) -> {
            subs.remove(connectionId);
            return subs.isEmpty() ? null : subs;
        });
    }

    private Set<String> lockFor(String connectionId) {
        return byConnection.computeIfAbsent(
                connectionId, k -> java.util.Collections.synchronizedSet(new LinkedHashSet<>()));
    }

    @Override
    public void extendSession(String connectionId, Instant tokenExpiresAt, Instant now) {
        RegistryKeys.connectionId(connectionId);
        Set<String> mine = byConnection.get(connectionId);
        if (mine == null) throw new ConnectionGoneException(connectionId);
        synchronized (mine) {
            Connection c = connections.get(connectionId);
            if (byConnection.get(connectionId) != mine || c == null || c.isExpired(now))
                throw new ConnectionGoneException(connectionId);
            connections.put(
                    connectionId,
                    new Connection(c.connectionId(), c.principal(), c.connectedAt(), c.expiresAt(), tokenExpiresAt));
        }
    }

    @Override
    public List<Connection> expiredSessions(Instant cutoff, Instant now) {
        List<Connection> out = new ArrayList<>();
        for (Connection c : connections.values()) {
            if (!c.isExpired(now)
                    && c.tokenExpiresAt() != null
                    && c.tokenExpiresAt().isBefore(cutoff)) out.add(c);
        }
        return out;
    }
}
