package com.pyerp.realtime.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.history.InMemoryChannelHistory;
import com.pyerp.realtime.core.history.Publication;
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
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The dispatcher's history step: events of channels with history are numbered and kept before the fan-out. */
class DispatcherHistoryTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-25T10:16:05Z");

    @Test
    void eventsOfAChannelWithHistory_carryOffsetAndEpoch_andAreKept_evenWithoutSubscribers_otherChannelsDoNot() {
        InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
        InMemoryChannelHistory history = new InMemoryChannelHistory();
        List<JsonNode> frames = new CopyOnWriteArrayList<>();
        ConnectionSender sender = (id, payload) -> {
            frames.add(JSON.readTree(new String(payload, StandardCharsets.UTF_8)));
            return java.util.concurrent.CompletableFuture.completedFuture(ConnectionSender.Outcome.DELIVERED);
        };
        registry.register(new Connection(
                "c1",
                new Principal("alice", "acme", Set.of("sales:read"), Map.of()),
                NOW.minusSeconds(5),
                NOW.plus(Duration.ofHours(2))));
        registry.subscribe("c1", "acme/sales.order.SO-20931", NOW);
        registry.subscribe("c1", "acme/sales.orders", NOW);
        try (Dispatcher d = new Dispatcher(
                EventCatalog.load(),
                registry,
                history,
                sender,
                Clock.fixed(NOW, ZoneOffset.UTC),
                2,
                Duration.ofMinutes(10))) {
            d.dispatch(event("e1"));
            d.dispatch(event("e2"));
        }
        List<JsonNode> order = frames.stream()
                .filter(f -> f.path("channel").asString().equals("sales.order.SO-20931"))
                .toList();
        assertThat(order).extracting(f -> f.path("offset").asLong()).containsExactly(1L, 2L);
        String epoch = order.get(0).path("epoch").asString();
        assertThat(epoch).isNotBlank();
        assertThat(frames.stream()
                        .filter(f -> f.path("channel").asString().equals("sales.orders"))
                        .allMatch(f -> !f.has("offset") && !f.has("epoch")))
                .as("sales.orders keeps no history")
                .isTrue();
        List<Publication> kept = history.read("acme/sales.order.SO-20931", epoch, 0, 2, NOW);
        assertThat(kept).extracting(Publication::eventId).containsExactly("e1", "e2");
        assertThat(JSON.readTree(kept.get(0).detail()).path("totalAmount").asDouble())
                .as("the full detail is kept; roles filter it when it is recovered")
                .isEqualTo(1299.0);
    }

    private static DeliveredEvent event(String id) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", "0");
        n.put("id", id);
        n.put("detail-type", "OrderStatusChanged");
        n.put("source", "pyerp.sales");
        n.put("account", "123456789012");
        n.put("time", "2026-11-25T10:16:00Z");
        n.put("region", "eu-central-1");
        n.putArray("resources");
        n.set("detail", EventCatalog.readTree(EventCatalog.BASE + "examples/order-status-changed.json"));
        return DeliveredEvent.fromEventBridge(n);
    }
}
