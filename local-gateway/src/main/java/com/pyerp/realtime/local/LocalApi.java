package com.pyerp.realtime.local;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.registry.ChannelKey;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.EventDefinition;
import com.pyerp.realtime.events.Tenants;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Local-only endpoints for developers: dev tokens and their JWKS, gateway info, live connections,
 * dead letters, and the debug console (client-js) as static files. None of these exist in the cloud.
 */
final class LocalApi extends Handler.Abstract {
    private final LocalGatewayConfig config;
    private final DevTokens tokens;
    private final WebSocketGateway gateway;
    private final ConnectionRegistry registry;
    private final EventCatalog catalog;
    private final DeadLetters deadLetters;
    private volatile EventBridgeApi eventBridge;
    private volatile Map<String, Object> info = Map.of();

    LocalApi(
            LocalGatewayConfig config,
            DevTokens tokens,
            WebSocketGateway gateway,
            ConnectionRegistry registry,
            EventCatalog catalog,
            DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
        this.config = config;
        this.tokens = tokens;
        this.gateway = gateway;
        this.registry = registry;
        this.catalog = catalog;
    }

    void setEventBridge(EventBridgeApi eventBridge) {
        this.eventBridge = eventBridge;
    }

    void setUrls(Map<String, Object> urls) {
        Map<String, Object> m = new LinkedHashMap<>(urls);
        m.put("stage", config.stage());
        m.put("bus", config.bus());
        List<Map<String, Object>> events = new ArrayList<>();
        for (EventDefinition e : catalog.events()) {
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("name", e.name());
            ev.put("source", e.source());
            ev.put("detailType", e.detailType());
            ev.put("channels", e.channelTemplates());
            if (!e.examples().isEmpty())
                ev.put(
                        "example",
                        EventCatalog.readTree(EventCatalog.BASE + e.examples().get(0)));
            events.add(ev);
        }
        m.put("events", events);
        info = m;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (!"GET".equals(request.getMethod()) || path == null) return false;
        switch (path) {
            case "/local/jwks.json" -> HttpIo.send(response, callback, 200, "application/json", tokens.jwksJson());
            case "/local/token" -> token(request, response, callback);
            case "/local/info" -> HttpIo.json(response, callback, 200, info);
            case "/local/connections" -> HttpIo.json(response, callback, 200, connections());
            case "/local/dead-letters" -> HttpIo.json(response, callback, 200, deadLetters.list());
            case "/", "/index.html" -> staticFile(response, callback, "console/index.html");
            default -> {
                if (path.startsWith("/console/")) staticFile(response, callback, path.substring(1));
                else if (path.startsWith("/client/")) staticFile(response, callback, path.substring(1));
                else return false;
            }
        }
        return true;
    }

    private void token(Request request, Response response, Callback callback) {
        Fields q = Request.extractQueryParameters(request);
        String sub = q.getValue("sub");
        String tenant = value(q, "tenant", "acme");
        long ttl;
        try {
            ttl = Long.parseLong(value(q, "ttl", "3600"));
        } catch (NumberFormatException e) {
            HttpIo.json(response, callback, 400, Map.of("error", "ttl must be a whole number of seconds"));
            return;
        }
        if (!Tenants.isValid(tenant)) {
            HttpIo.json(response, callback, 400, Map.of("error", "tenant must be " + Tenants.RULE));
            return;
        }
        if (sub == null || sub.isBlank()) {
            HttpIo.json(
                    response,
                    callback,
                    400,
                    Map.of(
                            "error",
                            "sub is required, e.g. /local/token?sub=alice&roles=inventory:read&warehouses=WH-1"));
            return;
        }
        List<String> roles = csv(value(q, "roles", ""));
        List<String> warehouses = csv(value(q, "warehouses", ""));
        String token = tokens.mint(
                sub, tenant, roles, warehouses, Duration.ofSeconds(ttl), value(q, "aud", DevTokens.AUDIENCE));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("token", token);
        out.put("expiresAt", Instant.now().plusSeconds(ttl).toString());
        out.put("claims", DevTokens.describe(token));
        HttpIo.json(response, callback, 200, out);
    }

    private List<Map<String, Object>> connections() {
        List<Map<String, Object>> out = new ArrayList<>();
        Instant now = Instant.now();
        for (LiveConnection c : gateway.connections()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("connectionId", c.id);
            Principal p = Principal.fromContext(c.authorizerContext);
            m.put("userId", p == null ? null : p.userId());
            m.put("tenant", p == null ? null : p.tenant());
            m.put("connectedAt", c.connectedAt.toString());
            m.put("lastActiveAt", c.lastActiveAt.toString());
            List<String> channels = new ArrayList<>();
            try {
                for (String key : registry.channelsOf(c.id, now)) channels.add(ChannelKey.channel(key));
            } catch (RuntimeException e) {
                m.put("registryError", e.getMessage());
            }
            m.put("channels", channels);
            out.add(m);
        }
        return out;
    }

    private void staticFile(Response response, Callback callback, String resource) throws java.io.IOException {
        if (resource.contains("..")) {
            HttpIo.send(response, callback, 400, "text/plain", "bad path");
            return;
        }
        try (InputStream in = LocalApi.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                HttpIo.send(
                        response,
                        callback,
                        404,
                        "text/plain",
                        "not found: /" + resource
                                + (resource.startsWith("console/")
                                        ? " (the debug console comes from client-js; rebuild the gateway with mvn package)"
                                        : ""));
                return;
            }
            String type = resource.endsWith(".html")
                    ? "text/html; charset=utf-8"
                    : resource.endsWith(".js") || resource.endsWith(".mjs")
                            ? "text/javascript; charset=utf-8"
                            : resource.endsWith(".css")
                                    ? "text/css; charset=utf-8"
                                    : resource.endsWith(".json") ? "application/json" : "application/octet-stream";
            response.getHeaders().put("Cache-Control", "no-store");
            HttpIo.send(
                    response,
                    callback,
                    200,
                    type,
                    new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static String value(Fields q, String name, String dflt) {
        String v = q.getValue(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    private static List<String> csv(String s) {
        return s.isBlank()
                ? List.of()
                : Arrays.stream(s.split(","))
                        .map(String::trim)
                        .filter(x -> !x.isEmpty())
                        .toList();
    }
}
