package com.pyerp.realtime.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.auth.TestTokens;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.core.service.ConnectionService;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.ProtocolSchemas;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Sessions after $connect (issue 10): token expiry, refresh, rate limit, connection limit, revocation, audit. */
class SessionGuardTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration SKEW = Duration.ofSeconds(30);

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }
    }

    record Closed(String connectionId, String code) {}

    private final TestClock clock = new TestClock();
    private final List<Closed> closed = Collections.synchronizedList(new ArrayList<>());
    private final List<String> logs = Collections.synchronizedList(new ArrayList<>());
    private InMemoryConnectionRegistry registry;
    private ConnectionService service;
    private SessionGuard guard;
    private Principal alice;

    @BeforeEach
    void setUp() {
        JsonLog.setSink(logs::add);
        registry = new InMemoryConnectionRegistry();
        ConnectionCloser closer = (id, frame) -> {
            JsonNode n = JSON.readTree(frame);
            assertThat(ProtocolSchemas.validateServerFrame(n)).as(frame).isEmpty();
            closed.add(new Closed(id, n.path("code").asString()));
            registry.remove(id);
        };
        guard = new SessionGuard(
                registry,
                TestTokens.verifier(Set.of("ES256"), null),
                closer,
                new RateLimiter(10, 5, 3, clock),
                clock,
                SKEW,
                3);
        service =
                new ConnectionService(registry, EventCatalog.load(), clock, Duration.ofHours(2), 100).guardedBy(guard);
        alice = new Principal(
                "alice",
                "acme",
                Set.of("inventory:read"),
                Map.of("warehouses", Set.of("WH-1")),
                clock.instant().plusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        service.connect("c1", alice, clock.instant());
    }

    @AfterEach
    void restoreSink() {
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    private JsonNode send(String frame) {
        String reply = service.handle("c1", alice, frame);
        if (reply == null) return null;
        JsonNode n = JSON.readTree(reply);
        assertThat(ProtocolSchemas.validateServerFrame(n)).as(reply).isEmpty();
        return n;
    }

    private List<JsonNode> audit() {
        return logs.stream()
                .map(JSON::readTree)
                .filter(n -> n.path("logger").asString().equals("AuditLog"))
                .toList();
    }

    // regression (issue 10): a connection made with a 2-second token still got acks 36 s later
    @Test
    void command_afterTheTokenExpiredBeyondTheSkew_shouldCloseWithTokenExpired() {
        assertThat(send("{\"action\":\"ping\"}").path("type").asString()).isEqualTo("pong");
        clock.advance(Duration.ofSeconds(60).plus(SKEW).minusSeconds(1));
        assertThat(send("{\"action\":\"ping\"}").path("type").asString()).isEqualTo("pong"); // within the skew

        clock.advance(Duration.ofSeconds(2));
        assertThat(send("{\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-1\"}"))
                .isNull();
        assertThat(closed).containsExactly(new Closed("c1", "TOKEN_EXPIRED"));
        assertThat(audit()).anySatisfy(a -> {
            assertThat(a.path("decision").asString()).isEqualTo("session");
            assertThat(a.path("code").asString()).isEqualTo("TOKEN_EXPIRED");
            assertThat(a.path("userId").asString()).isEqualTo("alice");
            assertThat(a.path("connectionId").asString()).isEqualTo("c1");
        });
    }

    @Test
    void refresh_withAFreshTokenOfTheSameUser_shouldKeepTheConnectionPastTheOldExpiry() {
        Instant newExp = clock.instant().plusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String token = TestTokens.es256(b -> b.expirationTime(Date.from(newExp)));
        JsonNode r = send("{\"action\":\"refresh\",\"id\":\"r1\",\"token\":\"" + token + "\"}");
        assertThat(r.path("type").asString()).isEqualTo("refreshed");
        assertThat(r.path("id").asString()).isEqualTo("r1");
        assertThat(Instant.parse(r.path("expiresAt").asString())).isEqualTo(newExp);

        clock.advance(Duration.ofSeconds(300)); // the handshake token is long expired; the refreshed one is not
        assertThat(send("{\"action\":\"ping\"}").path("type").asString()).isEqualTo("pong");
        assertThat(closed).isEmpty();
        assertThat(String.join("\n", logs)).doesNotContain(token).doesNotContain(token.substring(0, 40));
    }

    @Test
    void refresh_withAnotherUsersOrAnotherTenantsToken_shouldBeRefused_andChangeNothing() {
        String bob = TestTokens.es256(b -> b.subject("bob"));
        JsonNode r = send("{\"action\":\"refresh\",\"token\":\"" + bob + "\"}");
        assertThat(r.path("code").asString()).isEqualTo("REFRESH_REFUSED");
        String globex = TestTokens.es256(b -> b.claim("tenant", "globex"));
        assertThat(send("{\"action\":\"refresh\",\"token\":\"" + globex + "\"}")
                        .path("code")
                        .asString())
                .isEqualTo("REFRESH_REFUSED");
        String expired =
                TestTokens.es256(b -> b.expirationTime(Date.from(Instant.now().minusSeconds(3600))));
        assertThat(send("{\"action\":\"refresh\",\"token\":\"" + expired + "\"}")
                        .path("code")
                        .asString())
                .isEqualTo("REFRESH_REFUSED");
        assertThat(send("{\"action\":\"refresh\",\"token\":\"not-a-jwt\"}")
                        .path("code")
                        .asString())
                .isEqualTo("REFRESH_REFUSED");
        assertThat(send("{\"action\":\"refresh\"}").path("code").asString()).isEqualTo("INVALID_FRAME");

        clock.advance(Duration.ofSeconds(100)); // still ends with the handshake token
        assertThat(send("{\"action\":\"ping\"}")).isNull();
        assertThat(closed).containsExactly(new Closed("c1", "TOKEN_EXPIRED"));
    }

    // regression (issue 10): 5,000 pings in one burst were all answered
    @Test
    void rate_overTheBucket_shouldAnswerRateLimited_thenCloseOnRepeatedAbuse() {
        for (int i = 0; i < 5; i++)
            assertThat(send("{\"action\":\"ping\"}").path("type").asString()).isEqualTo("pong");
        assertThat(send("{\"action\":\"ping\"}").path("code").asString()).isEqualTo("RATE_LIMITED");
        assertThat(send("{\"action\":\"ping\"}").path("code").asString()).isEqualTo("RATE_LIMITED");
        assertThat(closed).isEmpty();
        assertThat(send("{\"action\":\"ping\"}")).isNull(); // the third refusal in a row
        assertThat(closed).containsExactly(new Closed("c1", "RATE_LIMIT_ABUSE"));
    }

    @Test
    void rate_shouldRefill_andAFrameWithinTheRateResetsTheStrikes() {
        for (int i = 0; i < 5; i++) send("{\"action\":\"ping\"}");
        assertThat(send("{\"action\":\"ping\"}").path("code").asString()).isEqualTo("RATE_LIMITED");
        assertThat(send("{\"action\":\"ping\"}").path("code").asString()).isEqualTo("RATE_LIMITED");
        clock.advance(Duration.ofMillis(100)); // one token back at 10/s
        assertThat(send("{\"action\":\"ping\"}").path("type").asString()).isEqualTo("pong");
        assertThat(send("{\"action\":\"ping\"}").path("code").asString()).isEqualTo("RATE_LIMITED");
        assertThat(closed).isEmpty();
    }

    // regression (issue 10): 200 sockets with one token were all accepted
    @Test
    void connect_overThePerUserLimit_shouldBeRefused_andRegisterNothing() {
        service.connect("c2", alice, clock.instant());
        service.connect("c3", alice, clock.instant());
        assertThatThrownBy(() -> service.connect("c4", alice, clock.instant()))
                .isInstanceOf(SessionGuard.ConnectionLimitException.class);
        assertThat(registry.find("c4", clock.instant())).isEmpty();
        // another user is not affected
        service.connect("b1", new Principal("bob", "acme", Set.of(), Map.of()), clock.instant());
        assertThat(audit())
                .anySatisfy(a -> assertThat(a.path("code").asString()).isEqualTo("CONNECTION_LIMIT"));
    }

    @Test
    void revoke_shouldCloseEveryConnectionOfThatUserOnly() {
        service.connect("c2", alice, clock.instant());
        service.connect("b1", new Principal("alice", "globex", Set.of(), Map.of()), clock.instant());
        assertThat(guard.revoke("acme", "alice", "roles-changed")).isEqualTo(2);
        assertThat(closed)
                .containsExactlyInAnyOrder(new Closed("c1", "SESSION_REVOKED"), new Closed("c2", "SESSION_REVOKED"));
        assertThat(registry.find("b1", clock.instant())).isPresent();
        assertThat(registry.find("c1", clock.instant())).isEmpty();
    }

    @Test
    void sweep_shouldCloseIdleConnectionsWhoseTokenExpired_andKeepRefreshedOnes() {
        Principal bob =
                new Principal("bob", "acme", Set.of(), Map.of(), clock.instant().plusSeconds(60));
        service.connect("b1", bob, clock.instant());
        Principal carol = new Principal(
                "carol", "acme", Set.of(), Map.of(), clock.instant().plusSeconds(3600));
        service.connect("k1", carol, clock.instant());
        registry.extendSession("b1", clock.instant().plusSeconds(7200), clock.instant());

        assertThat(guard.sweep()).isZero();
        clock.advance(Duration.ofSeconds(60).plus(SKEW).plusSeconds(1));
        assertThat(guard.sweep()).isEqualTo(1);
        assertThat(closed).containsExactly(new Closed("c1", "TOKEN_EXPIRED"));
    }
}
