package com.pyerp.realtime.local;

import com.pyerp.realtime.events.Json;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/** What the gateway prints when it is ready: where everything is, a token, and copy-paste examples. */
final class Banner {
    private Banner() {}

    static void print(LocalGateway gw, LocalGatewayConfig config, PrintStream out) {
        String token = gw.mintToken(
                "alice",
                "acme",
                List.of("inventory:read", "sales:read", "production:read"),
                List.of("*"),
                Duration.ofHours(8));
        String detail =
                "{\\\"tenantId\\\":\\\"acme\\\",\\\"warehouseId\\\":\\\"WH-1\\\",\\\"sku\\\":\\\"SKU-1001\\\",\\\"onHand\\\":42,\\\"available\\\":40,\\\"changedAt\\\":\\\"2026-11-25T10:15:00Z\\\"}";
        out.println();
        out.println("pyERP Realtime local gateway is running"
                + (config.demo() ? " (demo: simulated ERP events every " + (1 / config.demoRate()) + " s)" : ""));
        out.println("  debug console   " + gw.baseUrl() + "/");
        out.println("  WebSocket       " + gw.webSocketUrl() + "   (subprotocols: erp.v1, <token>)");
        out.println("  @connections    " + gw.connectionsUrl() + "/{connectionId}");
        out.println("  EventBridge     " + gw.eventBridgeUrl() + "   (bus " + gw.bus() + ")");
        out.println(
                "  dev tokens      " + gw.baseUrl() + "/local/token?sub=alice&roles=inventory:read&warehouses=WH-1");
        out.println("  registry        " + config.registry().name().toLowerCase());
        out.println();
        out.println("A token for alice@acme (all roles, all warehouses, 8 h):");
        out.println("  " + token);
        out.println();
        out.println("Try it:");
        out.println("  npx wscat -c " + gw.webSocketUrl() + " -s erp.v1 -s " + token.substring(0, 12) + "...");
        out.println("    > {\"action\":\"subscribe\",\"channel\":\"inventory.warehouse.WH-1\"}");
        out.println("  aws events put-events --endpoint-url " + gw.eventBridgeUrl() + " --region " + config.region()
                + " --entries \\");
        out.println("    '[{\"Source\":\"pyerp.inventory\",\"DetailType\":\"StockLevelChanged\",\"EventBusName\":\""
                + gw.bus() + "\",\"Detail\":\"" + detail + "\"}]'");
        out.println();
        out.println("READY " + Json.mapper().writeValueAsString(gw.urls()));
        out.flush();
    }
}
