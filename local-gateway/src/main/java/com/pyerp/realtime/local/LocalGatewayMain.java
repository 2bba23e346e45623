package com.pyerp.realtime.local;

import com.pyerp.realtime.events.Tenants;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The command line of the local gateway. Exit codes: 0 ok, 1 could not start, 2 bad arguments. */
public final class LocalGatewayMain {
    static final String USAGE = """
            pyERP Realtime local gateway: API Gateway (WebSocket + @connections) and EventBridge (PutEvents + rules)
            in one JVM, running the real Lambda handlers.

            Usage:
              java -jar local-gateway/target/realtime-local-gateway-all.jar [options]
              java -jar local-gateway/target/realtime-local-gateway-all.jar token [token options]

            Options:
              --port N                 port for everything (default 8080; 0 picks a free port)
              --host H                 address to bind (default 127.0.0.1)
              --stage S                API Gateway stage, the WebSocket path (default local)
              --bus NAME               EventBridge bus whose rules deliver to the dispatcher (default erp-events)
              --registry memory|dynamodb
                                       where connections and subscriptions live (default memory); dynamodb uses
                                       AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL (dynalite, LocalStack, AWS)
                                       and creates the tables if missing
              --origin URL             also allow this browser Origin, e.g. http://localhost:5173 (repeatable)
              --allow-host NAME        also accept this Host header (default: loopback names only; repeatable)
              --key-file FILE          development signing key (default ~/.pyerp-realtime/dev-signing-key.jwk,
                                       created if missing)
              --demo                   publish simulated ERP events through PutEvents while running
              --demo-rate R            events per second for --demo (default 1)
              --idle-timeout SECONDS   close connections idle this long, like API Gateway (default 600, at most 600)
              --max-duration SECONDS   close connections this old, like API Gateway (default 7200, at most 7200)
              --require-sigv4          refuse @connections and PutEvents requests without a SigV4 Authorization
                                       header (checks its presence and shape, not the signature)
              -h, --help               this help

            Token options (mint a development token signed by the same key, print it and exit):
              --sub USER               the user id (default alice)
              --tenant T               the tenant (default acme)
              --roles R1,R2            roles (default inventory:read,sales:read,production:read)
              --warehouses W1,W2|*     warehouse scope (default *)
              --ttl SECONDS            lifetime (default 3600)
              --key-file FILE          as above

            Exit codes: 0 ok, 1 could not start, 2 bad arguments.
            """;

    private LocalGatewayMain() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) System.exit(code);
    }

    /** Runs the CLI; returns the exit code (blocks while the gateway runs). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        if (a.contains("-h") || a.contains("--help")) {
            out.print(USAGE);
            return 0;
        }
        try {
            if (!a.isEmpty() && a.get(0).equals("token")) return token(a.subList(1, a.size()), out);
            LocalGatewayConfig config = parse(a);
            LocalGateway gw;
            try {
                gw = LocalGateway.start(config);
            } catch (Exception e) {
                err.println("error: the local gateway could not start: " + e.getMessage());
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                gw.close();
                                stopped.countDown();
                            },
                            "local-gateway-shutdown"));
            AutoCloseable demo = config.demo() ? Demo.start(gw, config.demoRate(), out) : () -> {};
            Banner.print(gw, config, out);
            stopped.await();
            demo.close();
            return 0;
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println("Run with --help for the options.");
            return 2;
        } catch (Exception e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    static LocalGatewayConfig parse(List<String> a) throws UsageException {
        LocalGatewayConfig.Builder b = LocalGatewayConfig.builder();
        List<String> origins = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            String opt = a.get(i);
            switch (opt) {
                case "--port" -> b.port(integer(opt, value(a, ++i, opt)));
                case "--host" -> b.host(value(a, ++i, opt));
                case "--stage" -> b.stage(value(a, ++i, opt));
                case "--bus" -> b.bus(value(a, ++i, opt));
                case "--registry" -> {
                    String v = value(a, ++i, opt);
                    switch (v) {
                        case "memory" -> b.registry(LocalGatewayConfig.Registry.MEMORY);
                        case "dynamodb" -> b.registry(LocalGatewayConfig.Registry.DYNAMODB);
                        default -> throw new UsageException("--registry must be memory or dynamodb, got '" + v + "'");
                    }
                }
                case "--origin" -> origins.add(value(a, ++i, opt));
                case "--allow-host" -> hosts.add(value(a, ++i, opt));
                case "--key-file" -> b.keyFile(Path.of(value(a, ++i, opt)));
                case "--demo" -> b.demo(true);
                case "--idle-timeout" -> b.idleTimeout(Duration.ofSeconds(integer(opt, value(a, ++i, opt))));
                case "--max-duration" -> b.maxConnectionDuration(Duration.ofSeconds(integer(opt, value(a, ++i, opt))));
                case "--require-sigv4" -> b.requireSigV4(true);
                case "--demo-rate" -> {
                    String v = value(a, ++i, opt);
                    try {
                        b.demoRate(Double.parseDouble(v));
                    } catch (NumberFormatException e) {
                        throw new UsageException("--demo-rate needs a number, got '" + v + "'");
                    }
                }
                default -> throw new UsageException("unknown option '" + opt + "'");
            }
        }
        b.extraOrigins(origins);
        b.allowedHosts(hosts);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static int token(List<String> a, PrintStream out) throws Exception {
        String sub = "alice", tenant = "acme", roles = "inventory:read,sales:read,production:read", warehouses = "*";
        long ttl = 3600;
        Path keyFile = LocalGatewayConfig.builder().keyFile;
        for (int i = 0; i < a.size(); i++) {
            String opt = a.get(i);
            switch (opt) {
                case "--sub" -> sub = value(a, ++i, opt);
                case "--tenant" -> tenant = value(a, ++i, opt);
                case "--roles" -> roles = value(a, ++i, opt);
                case "--warehouses" -> warehouses = value(a, ++i, opt);
                case "--ttl" -> ttl = integer(opt, value(a, ++i, opt));
                case "--key-file" -> keyFile = Path.of(value(a, ++i, opt));
                default -> throw new UsageException("unknown token option '" + opt + "'");
            }
        }
        if (ttl <= 0) throw new UsageException("--ttl must be positive");
        if (!Tenants.isValid(tenant))
            throw new UsageException("--tenant must be " + Tenants.RULE + ", got '" + tenant + "'");
        DevTokens tokens = DevTokens.fromKeyFile(keyFile);
        out.println(tokens.mint(sub, tenant, csv(roles), csv(warehouses), Duration.ofSeconds(ttl), DevTokens.AUDIENCE));
        return 0;
    }

    private static List<String> csv(String s) {
        return Arrays.stream(s.split(","))
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .toList();
    }

    private static String value(List<String> a, int i, String opt) throws UsageException {
        if (i >= a.size() || a.get(i).startsWith("--")) throw new UsageException(opt + " needs a value");
        return a.get(i);
    }

    private static int integer(String opt, String v) throws UsageException {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(opt + " needs a whole number, got '" + v + "'");
        }
    }

    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }
}
