package com.pyerp.realtime.core.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.events.EventCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Presence over the in-memory registry with a recording sender: join/leave per user, on every removal path. */
class PresenceRegistryTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final String ROOM = "acme/sales.order.SO-1";

    private final List<String[]> sent = new CopyOnWriteArrayList<>();
    private final Map<String, ConnectionSender.Outcome> outcomes = new ConcurrentHashMap<>();
    private PresenceRegistry registry;

    @BeforeEach
    void setUp() {
        ConnectionSender sender = (id, payload) -> {
            ConnectionSender.Outcome o = outcomes.getOrDefault(id, ConnectionSender.Outcome.DELIVERED);
            if (o.status() == ConnectionSender.Status.DELIVERED)
                sent.add(new String[] {id, new String(payload, StandardCharsets.UTF_8)});
            return java.util.concurrent.CompletableFuture.completedFuture(o);
        };
        registry = new PresenceRegistry(
                new InMemoryConnectionRegistry(), EventCatalog.load(), sender, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private void connect(String id, String user) {
        registry.register(new Connection(
                id,
                new Principal(user, "acme", Set.of("sales:read"), Map.of()),
                NOW.minusSeconds(5),
                NOW.plus(Duration.ofHours(2))));
    }

    private List<String> framesTo(String id) {
        return sent.stream()
                .filter(s -> s[0].equals(id))
                .map(s -> {
                    JsonNode n = JSON.readTree(s[1]);
                    return n.path("type").asString() + ":"
                            + n.path("member").path("userId").asString();
                })
                .toList();
    }

    @Test
    void joinAndLeave_areAnnouncedPerUser_notPerTab_toTheOthers() {
        connect("a1", "alice");
        connect("b1", "bob");
        connect("b2", "bob");
        registry.subscribe("a1", ROOM, NOW);
        assertThat(sent).as("alone: nobody to tell").isEmpty();
        registry.subscribe("b1", ROOM, NOW);
        assertThat(framesTo("a1")).containsExactly("join:bob");
        assertThat(framesTo("b1")).as("not to the joining connection").isEmpty();
        registry.subscribe("b2", ROOM, NOW);
        assertThat(framesTo("a1")).as("a second tab is no join").containsExactly("join:bob");
        assertThat(PresenceRegistry.members(registry, ROOM, NOW))
                .containsExactly(new Member("alice", 1), new Member("bob", 2));

        registry.unsubscribe("b1", ROOM);
        assertThat(framesTo("a1")).as("bob still has a tab").containsExactly("join:bob");
        registry.remove("b2"); // $disconnect of the last tab
        assertThat(framesTo("a1")).containsExactly("join:bob", "leave:bob");
        assertThat(PresenceRegistry.members(registry, ROOM, NOW)).containsExactly(new Member("alice", 1));
    }

    @Test
    void aConnectionFoundGone_byAnAnnouncement_isRemoved_andItsLeaveAnnounced() {
        connect("a1", "alice");
        connect("c1", "carol");
        connect("b1", "bob");
        registry.subscribe("a1", ROOM, NOW);
        registry.subscribe("c1", ROOM, NOW);
        outcomes.put("c1", ConnectionSender.Outcome.GONE); // carol's socket vanished without $disconnect
        registry.subscribe("b1", ROOM, NOW);
        assertThat(framesTo("a1")).containsExactly("join:carol", "join:bob", "leave:carol");
        assertThat(registry.find("c1", NOW)).isEmpty();
        assertThat(PresenceRegistry.members(registry, ROOM, NOW))
                .extracting(Member::userId)
                .containsExactly("alice", "bob");
    }

    @Test
    void aConnectionThatExpiredWithoutDisconnect_isNoLongerAMember() {
        connect("a1", "alice");
        registry.register(new Connection(
                "z1",
                new Principal("zoe", "acme", Set.of("sales:read"), Map.of()),
                NOW.minusSeconds(60),
                NOW.plusSeconds(30)));
        registry.subscribe("a1", ROOM, NOW);
        registry.subscribe("z1", ROOM, NOW);
        assertThat(PresenceRegistry.members(registry, ROOM, NOW))
                .extracting(Member::userId)
                .containsExactly("alice", "zoe");
        assertThat(PresenceRegistry.members(registry, ROOM, NOW.plusSeconds(31)))
                .extracting(Member::userId)
                .containsExactly("alice");
    }

    @Test
    void channelsWithoutPresence_announceNothing() {
        connect("a1", "alice");
        connect("b1", "bob");
        registry.subscribe("a1", "acme/sales.orders", NOW);
        registry.subscribe("b1", "acme/sales.orders", NOW);
        registry.remove("b1");
        assertThat(sent).isEmpty();
    }
}
