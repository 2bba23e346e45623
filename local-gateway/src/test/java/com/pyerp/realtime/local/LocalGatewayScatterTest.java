package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.log.JsonLog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import tools.jackson.databind.JsonNode;

/**
 * Scatter end to end on the local gateway, with a page of 3 subscribers ({@code FANOUT_PAGE_SIZE}): a broadcast to 10
 * real WebSocket clients is split by the dispatcher into its own first page and page tasks on the local fan-out queue,
 * which invokes the same dispatcher handler; every client gets the event exactly once.
 */
@Timeout(120)
class LocalGatewayScatterTest {
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void restoreLog() {
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    @Test
    void broadcast_toAChannelLargerThanAPage_isScatteredIntoPages_andReachesEveryClientOnce(@TempDir Path dir)
            throws Exception {
        JsonLog.setSink(logLines::add);
        try (LocalGateway gw = LocalGateway.startEphemeral(TestGateways.config(dir)
                        .processEnv(Map.of("FANOUT_PAGE_SIZE", "3"))
                        .build());
                EventBridgeClient events = TestGateways.events(gw)) {
            WebSocketClient ws = new WebSocketClient();
            ws.start();
            try {
                List<TestSocket> sockets = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    TestSocket s = new TestSocket();
                    ClientUpgradeRequest req = new ClientUpgradeRequest(URI.create(gw.webSocketUrl()));
                    req.setSubProtocols(
                            "erp.v1", gw.mintToken("user-" + i, "acme", List.of(), List.of(), Duration.ofMinutes(5)));
                    ws.connect(s, req).get();
                    assertThat(s.command("{\"action\":\"subscribe\",\"channel\":\"system.broadcast\"}")
                                    .path("type")
                                    .asString())
                            .isEqualTo("ack");
                    sockets.add(s);
                }

                events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                        .eventBusName("erp-events")
                        .source("pyerp.system")
                        .detailType("MaintenanceNotice")
                        .detail("{\"tenantId\":\"acme\",\"message\":\"maintenance at 22:00\"}")
                        .build()));

                for (TestSocket s : sockets) {
                    JsonNode event = s.next();
                    assertThat(event.path("channel").asString()).isEqualTo("system.broadcast");
                    assertThat(event.path("data").path("message").asString()).isEqualTo("maintenance at 22:00");
                }
                for (TestSocket s : sockets)
                    assertThat(s.poll(Duration.ofMillis(300)))
                            .as("no duplicate")
                            .isNull();
                // the coordinator posted to its first page of 3 and scattered the other 7 into pages of 3, 3 and 1
                assertThat(logLines)
                        .anySatisfy(l -> assertThat(l)
                                .contains("channel scattered")
                                .contains("\"pages\":3")
                                .contains("\"subscribers\":7"));
                assertThat(logLines.stream().filter(l -> l.contains("page fanned out")))
                        .hasSize(3);
                for (TestSocket s : sockets) s.close();
            } finally {
                ws.stop();
            }
        }
    }
}
