package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.dispatch.ConnectionSender;
import com.pyerp.realtime.core.dispatch.DispatchBuffer;
import com.pyerp.realtime.core.dispatch.Dispatcher;
import com.pyerp.realtime.core.dispatch.FanOutPolicy;
import com.pyerp.realtime.core.registry.ChannelKey;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.handler.DispatcherHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The local fan-out queue: page tasks retried like the stack's queue, then dead-lettered where /local/dead-letters shows them. */
class FanOutQueueTest {
    @Test
    void aPageThatFailsOnEveryReceive_isRetried_thenListedAsAFanOutDeadLetter() throws Exception {
        var registry = new InMemoryConnectionRegistry();
        String tenant = FanOutBenchmark.notice("x")
                .path("detail")
                .path(EventCatalog.load().tenantField())
                .asString();
        String channelKey = ChannelKey.of(tenant, "system.broadcast");
        Instant now = Instant.now();
        for (int i = 0; i < 3; i++) {
            String id = "c" + i;
            registry.register(new Connection(
                    id,
                    new Principal("user-" + i, tenant, Set.of("inventory:read"), Map.of()),
                    now,
                    now.plusSeconds(3600)));
            registry.subscribe(id, channelKey, now);
        }
        // page size 1: the coordinator posts to one subscriber itself and scatters the other two as page tasks; every
        // post is throttled (429) past the policy's deadline (200 ms here, 40 s in the stack), so each page fails on
        // every receive (a plain 5xx is counted as failed, not retried)
        Map<String, AtomicInteger> posts = new ConcurrentHashMap<>();
        ConnectionSender sender = (id, payload) -> {
            posts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            return CompletableFuture.completedFuture(ConnectionSender.Outcome.THROTTLED);
        };
        DeadLetters deadLetters = new DeadLetters();
        try (FanOutQueue queue = new FanOutQueue("eu-central-1", deadLetters);
                Dispatcher dispatcher = new Dispatcher(
                        EventCatalog.load(),
                        registry,
                        sender,
                        Clock.systemUTC(),
                        new FanOutPolicy(
                                8, 8, 1, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(200), 1L),
                        Duration.ofMinutes(5),
                        queue,
                        1)) {
            DispatcherHandler handler = new DispatcherHandler(dispatcher);
            queue.attach(handler);
            byte[] event = Json.mapper().writeValueAsBytes(FanOutBenchmark.notice("evt-dead-page"));
            // the coordinator's own page is throttled past the deadline too: its invocation fails (SQS would retry it)
            assertThatThrownBy(() ->
                            handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(), null))
                    .hasMessageContaining("dispatch of event evt-dead-page failed");
            assertThat(queue.awaitIdle(Duration.ofSeconds(60))).isTrue();

            assertThat(queue.deadLetters()).isEqualTo(2);
            assertThat(deadLetters.list())
                    .hasSize(2)
                    .allSatisfy(dl -> {
                        assertThat(dl)
                                .containsEntry("queue", DeadLetters.FANOUT)
                                .containsEntry("channel", "system.broadcast")
                                .containsEntry("receiveCount", DispatchBuffer.MAX_RECEIVE_COUNT);
                        assertThat(dl.get("event").toString()).contains("evt-dead-page");
                        assertThat(dl.get("errorMessage").toString()).contains("batchItemFailures");
                    })
                    .extracting(dl -> dl.get("page"))
                    .doesNotHaveDuplicates();
            // every receive of a page tried its subscriber again: the two scattered ones at least MAX_RECEIVE_COUNT
            // times
            assertThat(posts.values().stream().filter(n -> n.get() >= DispatchBuffer.MAX_RECEIVE_COUNT))
                    .hasSizeGreaterThanOrEqualTo(2);
        }
    }
}
