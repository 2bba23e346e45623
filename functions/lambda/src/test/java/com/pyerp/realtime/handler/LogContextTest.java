package com.pyerp.realtime.handler;

import static com.pyerp.realtime.handler.LambdaFixtures.context;
import static com.pyerp.realtime.handler.LambdaFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.pyerp.realtime.core.auth.TestTokens;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.core.service.ConnectionService;
import com.pyerp.realtime.events.EventCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Regression (issue 14, item 6): the log context followed the thread, so after a handler returned, the next line
 * logged on that pooled thread (Jetty's, the dispatcher's) carried the previous invocation's connection id.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LogContextTest {
    private static final JsonLog LOG = JsonLog.get(LogContextTest.class);
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService pooledThread = Executors.newSingleThreadExecutor();
    private ConnectHandler connect;

    @BeforeEach
    void setUp() {
        JsonLog.setSink(lines::add);
        connect = new ConnectHandler(new ConnectionService(
                new InMemoryConnectionRegistry(),
                EventCatalog.load(),
                java.time.Clock.systemUTC(),
                Duration.ofHours(2),
                100));
    }

    @AfterEach
    void tearDown() {
        pooledThread.shutdownNow();
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    @Test
    void afterAnInvocation_thePooledThreadLogsWithoutItsConnectionId() throws Exception {
        APIGatewayV2WebSocketEvent e = event(
                "connect.json", APIGatewayV2WebSocketEvent.class, Map.of("TOKEN_PLACEHOLDER", TestTokens.es256()));
        pooledThread.submit(() -> connect.handleRequest(e, context("connect"))).get();

        pooledThread.submit(() -> LOG.info("unrelated work")).get();

        JsonNode line = LambdaFixtures.JSON.readTree(lines.get(lines.size() - 1));
        assertThat(line.path("message").asString()).isEqualTo("unrelated work");
        assertThat(line.has("connectionId")).as(line.toString()).isFalse();
        assertThat(line.has("lambdaRequestId")).as(line.toString()).isFalse();
    }

    @Test
    void anInvocation_logsItsOwnContext_andNotWhatTheThreadCarried() throws Exception {
        APIGatewayV2WebSocketEvent e =
                event("connect.json", APIGatewayV2WebSocketEvent.class, Map.of("TOKEN_PLACEHOLDER", "x"));
        e.getRequestContext().setAuthorizer(null); // refused: logs one warning inside the invocation
        pooledThread
                .submit(() -> {
                    JsonLog.context().put("correlationId", "left-over-from-other-work");
                    connect.handleRequest(e, context("connect"));
                })
                .get();

        JsonNode warning = lines.stream()
                .map(LambdaFixtures.JSON::readTree)
                .filter(l -> l.path("level").asString().equals("WARN"))
                .findFirst()
                .orElseThrow();
        assertThat(warning.path("connectionId").asString()).isEqualTo("CxK8peoGliACF-w=");
        assertThat(warning.has("correlationId")).as(warning.toString()).isFalse();
    }
}
