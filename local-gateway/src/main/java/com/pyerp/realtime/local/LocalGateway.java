package com.pyerp.realtime.local;

import com.pyerp.realtime.aws.ApiGatewayManagementSender;
import com.pyerp.realtime.aws.dynamo.DynamoDbConnectionRegistry;
import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.InMemoryConnectionRegistry;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.events.ProtocolLimits;
import com.pyerp.realtime.handler.Handlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * One JVM standing in for API Gateway (WebSocket API + {@code @connections}) and EventBridge
 * ({@code PutEvents} + rules), running the real handlers with the environment the CDK stack sets.
 * Everything is on one port. Close it to stop the server and every thread it started.
 */
public final class LocalGateway implements AutoCloseable {
    private static final JsonLog LOG = JsonLog.get(LocalGateway.class);

    private final LocalGatewayConfig config;
    private final Server server;
    private final ScheduledExecutorService timers;
    private final ExecutorService workers;
    private final Handlers handlers;
    private final ConnectionRegistry registry;
    private final WebSocketGateway gateway;
    private final EventBridgeApi eventBridge;
    private DispatchQueue dispatchQueue;
    private FanOutQueue fanOutQueue;
    /** The dispatch buffer's and the fan-out queue's dead letters ({@code /local/dead-letters}). */
    private final DeadLetters deadLetters = new DeadLetters();
    /** The dispatcher's in-process transport to the @connections API. */
    private InProcessManagementTransport transport;

    private final Map<String, String> environment;
    private final DevTokens tokens;
    private final int port;

    private LocalGateway(LocalGatewayConfig config, DevTokens tokens) throws Exception {
        this.config = config;
        this.tokens = tokens;
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("local-gateway");
        threads.setDaemon(true);
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);
        try {
            connector.open();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(
                    "cannot listen on " + config.host() + ":" + config.port() + " (" + e.getMessage()
                            + "); is another gateway running? choose another --port",
                    e);
        }
        port = connector.getLocalPort();
        timers = Executors.newScheduledThreadPool(1, daemon("local-gateway-timer"));
        workers = Executors.newFixedThreadPool(4, daemon("local-gateway-worker"));
        ConnectionRegistry reg = null;
        Handlers hs = null;
        try {
            environment = environment(config, port);
            RealtimeEnv env = RealtimeEnv.from(environment);
            reg = registry(config, env);
            dispatchQueue = new DispatchQueue(config, timers, deadLetters);
            fanOutQueue = new FanOutQueue(config.region(), deadLetters);
            // the dispatcher posts with the real SDK client (async), over an in-process transport to ManagementApi
            transport = new InProcessManagementTransport();
            hs = Handlers.create(
                    env,
                    environment,
                    reg,
                    fanOutQueue,
                    dispatchQueue,
                    new ApiGatewayManagementSender(
                            ApiGatewayManagementSender.client(env, environment, transport), transport));
            fanOutQueue.attach(hs.dispatcher());
            EventCatalog catalog = EventCatalog.load();

            gateway = new WebSocketGateway(config, hs, timers, workers);
            gateway.setDomainName(config.host() + ":" + port);
            dispatchQueue.start(hs.dispatcher());
            eventBridge = new EventBridgeApi(config, catalog.rulePatterns(), dispatchQueue);
            LocalApi local = new LocalApi(config, tokens, gateway, reg, catalog, deadLetters);
            local.setEventBridge(eventBridge);
            ManagementApi management =
                    new ManagementApi(config.stage(), gateway, new TokenBucket(10_000, 5_000), config.requireSigV4());
            transport.bind(management);

            WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
                container.setMaxFrameSize(ProtocolLimits.MAX_FRAME_BYTES);
                // without this Jetty would split an oversized incoming frame instead of refusing it with 1009, as AWS
                // does
                container.setAutoFragment(false);
                container.setMaxTextMessageSize(ProtocolLimits.MAX_MESSAGE_BYTES);
                container.setMaxBinaryMessageSize(ProtocolLimits.MAX_MESSAGE_BYTES);
                // API Gateway's idle timeout (10 min unless --idle-timeout): like API Gateway, the gateway never pings,
                // and traffic in either direction counts as activity
                container.setIdleTimeout(config.idleTimeout());
                container.addMapping("/" + config.stage(), gateway::create);
            });
            ws.setHandler(new Handler.Sequence(management, eventBridge, local, new NotFound()));
            server.setHandler(new HostCheck(config.allowedHosts(), ws));
            // the session function: its revocation rule on the bus, and its schedule (the stack's SessionSweep)
            var sessions = hs.session();
            eventBridge.addRule(
                    com.pyerp.realtime.core.session.SessionGuard.REVOKED_RULE,
                    com.pyerp.realtime.core.session.SessionGuard.REVOKED_RULE_PATTERN,
                    event -> workers.execute(() -> invokeSession(sessions, event)));
            timers.scheduleAtFixedRate(
                    () -> workers.execute(() -> invokeSession(sessions, scheduledEvent())),
                    config.sessionSweep().toMillis(),
                    config.sessionSweep().toMillis(),
                    TimeUnit.MILLISECONDS);
            server.setStopTimeout(2000);
            registry = reg;
            handlers = hs;
            local.setUrls(urls());
            server.start();
        } catch (Exception | Error e) {
            // a gateway that cannot start leaves no port, thread or client behind
            try {
                server.stop();
            } catch (Exception ignored) {
                // best effort
            }
            connector.close();
            if (dispatchQueue != null) dispatchQueue.close();
            if (fanOutQueue != null) fanOutQueue.close();
            timers.shutdownNow();
            workers.shutdownNow();
            if (hs != null) hs.close();
            if (reg instanceof AutoCloseable c) c.close();
            throw e;
        }
    }

    private static void invokeSession(
            com.pyerp.realtime.handler.SessionHandler handler, tools.jackson.databind.JsonNode event) {
        LambdaRuntime.Result r = LambdaRuntime.invokeStream(LambdaRuntime.SESSION, handler, event);
        if (r.failed()) LOG.warn("session function failed", "error", r.errorMessage());
    }

    /** What an EventBridge schedule sends. */
    private tools.jackson.databind.JsonNode scheduledEvent() {
        var e = Json.mapper().createObjectNode();
        e.put("version", "0");
        e.put("id", java.util.UUID.randomUUID().toString());
        e.put("detail-type", com.pyerp.realtime.handler.SessionHandler.SCHEDULED);
        e.put("source", "aws.events");
        e.put("account", LocalGatewayConfig.ACCOUNT);
        e.put(
                "time",
                java.time.Instant.now()
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        .toString());
        e.put("region", config.region());
        e.putArray("resources");
        e.putObject("detail");
        return e;
    }

    /** Starts a gateway with a development signing key from the config's key file. */
    public static LocalGateway start(LocalGatewayConfig config) throws Exception {
        return new LocalGateway(config, DevTokens.fromKeyFile(config.keyFile()));
    }

    /** Starts a gateway with a throw-away signing key (tests). */
    static LocalGateway startEphemeral(LocalGatewayConfig config) throws Exception {
        return new LocalGateway(config, DevTokens.ephemeral());
    }

    /**
     * The functions' environment: the contract's values for this gateway, overridden by any contract
     * variable set in the process environment (to try another JWKS, table names or a DynamoDB endpoint).
     */
    static Map<String, String> environment(LocalGatewayConfig config, int port) {
        String base = "http://" + hostForUrls(config) + ":" + port;
        List<String> origins = new ArrayList<>(List.of("http://localhost:" + port, "http://127.0.0.1:" + port));
        origins.addAll(config.extraOrigins());
        Map<String, String> env = RealtimeEnv.builder()
                .connectionsTable("pyerp-realtime-connections")
                .subscriptionsTable("pyerp-realtime-subscriptions")
                .historyTable("pyerp-realtime-history")
                .jwtIssuer(DevTokens.ISSUER)
                .jwtAudience(DevTokens.AUDIENCE)
                .jwksUrl(base + "/local/jwks.json")
                .allowedOrigins(origins)
                .managementEndpoint(base + "/" + config.stage())
                .region(config.region())
                .toMap();
        Map<String, String> process = config.processEnv();
        for (RealtimeEnv.Var v : RealtimeEnv.Var.values()) {
            String fromProcess = process.get(v.name());
            if (fromProcess == null
                    || fromProcess.isBlank()
                    || v == RealtimeEnv.Var.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI) continue;
            // extra origins add to the gateway's own, so its console keeps working
            env.put(
                    v.name(),
                    v == RealtimeEnv.Var.ALLOWED_ORIGINS ? env.get(v.name()) + "," + fromProcess : fromProcess);
        }
        if (!env.containsKey(RealtimeEnv.Var.AWS_ENDPOINT_URL_DYNAMODB.name())
                && process.get("AWS_ENDPOINT_URL") != null) {
            env.put(RealtimeEnv.Var.AWS_ENDPOINT_URL_DYNAMODB.name(), process.get("AWS_ENDPOINT_URL"));
        }
        env.put("AWS_ACCESS_KEY_ID", process.getOrDefault("AWS_ACCESS_KEY_ID", "local"));
        env.put("AWS_SECRET_ACCESS_KEY", process.getOrDefault("AWS_SECRET_ACCESS_KEY", "local"));
        return env;
    }

    /**
     * The functions' environment of a gateway on {@code port} with the default options and no process overrides: what
     * infra-cdk's test compares with the synthesized template, variable by variable.
     */
    public static Map<String, String> defaultEnvironment(int port) {
        return environment(LocalGatewayConfig.builder().processEnv(Map.of()).build(), port);
    }

    private static ConnectionRegistry registry(LocalGatewayConfig config, RealtimeEnv env) {
        if (config.registry() == LocalGatewayConfig.Registry.MEMORY) return new InMemoryConnectionRegistry();
        String endpoint =
                env.dynamoDbEndpoint().map(Object::toString).orElse("the AWS endpoint of region " + env.region());
        try {
            DynamoDbConnectionRegistry r = DynamoDbConnectionRegistry.fromEnv(env);
            var tables = com.pyerp.realtime.aws.dynamo.RegistryTableSetup.createIfMissing(
                    r.client(), env.connectionsTable(), env.subscriptionsTable());
            LOG.info("using the DynamoDB registry", "endpoint", endpoint, "tables", tables.toString());
            var history = com.pyerp.realtime.aws.dynamo.RegistryTableSetup.createHistoryIfMissing(
                    r.client(), env.historyTable());
            LOG.info("using the DynamoDB channel history", "endpoint", endpoint, "table", history.toString());
            return r;
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "--registry dynamodb: cannot use DynamoDB at " + endpoint + ": " + e.getMessage()
                            + " (set AWS_ENDPOINT_URL_DYNAMODB, e.g. http://localhost:4567 for dynalite)",
                    e);
        }
    }

    private static String hostForUrls(LocalGatewayConfig config) {
        String h = config.host();
        return h.equals("0.0.0.0") || h.equals("127.0.0.1") ? "localhost" : h;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://" + hostForUrls(config) + ":" + port;
    }

    public String webSocketUrl() {
        return "ws://" + hostForUrls(config) + ":" + port + "/" + config.stage();
    }

    public String connectionsUrl() {
        return baseUrl() + "/" + config.stage() + "/@connections";
    }
    /** The EventBridge endpoint (for {@code --endpoint-url} and {@code AWS_ENDPOINT_URL_EVENTBRIDGE}). */
    public String eventBridgeUrl() {
        return baseUrl();
    }

    public String bus() {
        return config.bus();
    }

    /** The WebSocket side (tests reach its seams). */
    WebSocketGateway webSocketGateway() {
        return gateway;
    }

    public ConnectionRegistry registry() {
        return registry;
    }

    public Map<String, String> environment() {
        return environment;
    }

    /** Mints a development token (same key as {@code /local/token}). */
    public String mintToken(String sub, String tenant, List<String> roles, List<String> warehouses, Duration ttl) {
        return tokens.mint(sub, tenant, roles, warehouses, ttl, DevTokens.AUDIENCE);
    }

    String mintToken(
            String sub, String tenant, List<String> roles, List<String> warehouses, Duration ttl, String audience) {
        return tokens.mint(sub, tenant, roles, warehouses, ttl, audience);
    }

    InProcessManagementTransport managementTransport() {
        return transport;
    }

    List<Map<String, Object>> deadLetters() {
        return deadLetters.list();
    }

    Map<String, Object> urls() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("port", port);
        m.put("ws", webSocketUrl());
        m.put("connections", connectionsUrl());
        m.put("eventbridge", eventBridgeUrl());
        m.put("console", baseUrl() + "/");
        m.put("token", baseUrl() + "/local/token");
        m.put("jwks", baseUrl() + "/local/jwks.json");
        return m;
    }

    @Override
    public void close() {
        try {
            gateway.closeAll();
            server.stop();
        } catch (Exception e) {
            LOG.warn("server did not stop cleanly", "error", e.toString());
        }
        if (dispatchQueue != null) dispatchQueue.close();
        if (fanOutQueue != null) fanOutQueue.close();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) workers.shutdownNow();
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
        handlers.close();
        if (registry instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("registry did not close cleanly", "error", e.toString());
            }
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The last handler: a JSON 404 naming what the gateway serves. */
    private static final class NotFound extends Handler.Abstract {
        @Override
        public boolean handle(
                org.eclipse.jetty.server.Request request,
                org.eclipse.jetty.server.Response response,
                org.eclipse.jetty.util.Callback callback) {
            HttpIo.json(
                    response,
                    callback,
                    404,
                    Map.of(
                            "message",
                            "not found: " + request.getMethod() + " "
                                    + request.getHttpURI().getPath()
                                    + ". This gateway serves: ws /{stage}, /{stage}/@connections/{id}, PutEvents (POST / with X-Amz-Target), /local/*, the console at /"));
            return true;
        }
    }
}
