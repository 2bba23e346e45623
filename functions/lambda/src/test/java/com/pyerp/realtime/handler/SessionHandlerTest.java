package com.pyerp.realtime.handler;

import static com.pyerp.realtime.handler.LambdaFixtures.context;
import static com.pyerp.realtime.handler.LambdaFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.auth.TestTokens;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.core.service.ConnectionService;
import com.pyerp.realtime.core.session.RateLimiter;
import com.pyerp.realtime.core.session.SessionGuard;
import com.pyerp.realtime.events.EventCatalog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session function (sweep and revocation) and the connection limit at $connect (issue 10). */
class SessionHandlerTest {
    private final List<String> closed = Collections.synchronizedList(new ArrayList<>());
    private InMemoryConnectionRegistry registry;
    private ConnectionService service;
    private SessionHandler handler;

    @BeforeEach
    void setUp() {
        registry = new InMemoryConnectionRegistry();
        Clock clock = Clock.systemUTC();
        SessionGuard guard = new SessionGuard(
                registry,
                TestTokens.verifier(Set.of("ES256"), null),
                (id, frame) -> closed.add(id + " " + frame),
                new RateLimiter(10, 20, 10, clock),
                clock,
                Duration.ofSeconds(30),
                2);
        service =
                new ConnectionService(registry, EventCatalog.load(), clock, Duration.ofHours(2), 100).guardedBy(guard);
        handler = new SessionHandler(guard);
    }

    private String invoke(String json) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, context("session"));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sessionsRevoked_closesThatUsersConnections_withSessionRevoked() throws Exception {
        service.connect("a1", new Principal("alice", "acme", Set.of(), Map.of()), Instant.now());
        service.connect("b1", new Principal("bob", "acme", Set.of(), Map.of()), Instant.now());
        String reply = invoke("{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"SessionsRevoked\","
                + "\"source\":\"pyerp.identity\",\"account\":\"1\",\"time\":\"2026-11-30T10:00:00Z\","
                + "\"region\":\"eu-central-1\",\"resources\":[],"
                + "\"detail\":{\"tenantId\":\"acme\",\"userId\":\"alice\",\"reason\":\"logout\"}}");
        assertThat(reply).isEqualTo("{\"closed\":1}");
        assertThat(closed).singleElement().asString().startsWith("a1 ").contains("SESSION_REVOKED");
        assertThat(registry.find("b1", Instant.now())).isPresent();
    }

    @Test
    void scheduledEvent_sweepsExpiredTokens() throws Exception {
        service.connect(
                "old",
                new Principal("carol", "acme", Set.of(), Map.of(), Instant.now().minusSeconds(120)),
                Instant.now());
        service.connect(
                "new",
                new Principal("dave", "acme", Set.of(), Map.of(), Instant.now().plusSeconds(600)),
                Instant.now());
        assertThat(invoke("{\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\",\"detail\":{}}"))
                .isEqualTo("{\"closed\":1}");
        assertThat(closed).singleElement().asString().startsWith("old ").contains("TOKEN_EXPIRED");
    }

    @Test
    void anEventOfAnotherShape_isRefused_andClosesNothing() {
        service.connect("a1", new Principal("alice", "acme", Set.of(), Map.of()), Instant.now());
        assertThatThrownBy(() -> invoke("{\"detail-type\":\"SessionsRevoked\",\"source\":\"pyerp.evil\","
                        + "\"detail\":{\"tenantId\":\"acme\",\"userId\":\"alice\"}}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> invoke("{\"detail-type\":\"SessionsRevoked\",\"source\":\"pyerp.identity\","
                        + "\"detail\":{\"tenantId\":\"acme\"}}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(closed).isEmpty();
    }

    @Test
    void connect_overThePerUserLimit_answers429_andRegistersNothing() {
        ConnectHandler connect = new ConnectHandler(service);
        service.connect("x1", new Principal("alice", "acme", Set.of(), Map.of()), Instant.now());
        service.connect("x2", new Principal("alice", "acme", Set.of(), Map.of()), Instant.now());
        APIGatewayV2WebSocketEvent e = event(
                "connect.json", APIGatewayV2WebSocketEvent.class, Map.of("TOKEN_PLACEHOLDER", TestTokens.es256()));
        APIGatewayV2WebSocketResponse r = connect.handleRequest(e, context("connect"));
        assertThat(r.getStatusCode()).isEqualTo(429);
        assertThat(registry.connectionsOf("acme", "alice", Instant.now())).hasSize(2);
    }
}
