package com.pyerp.realtime.core.log;

import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Structured logs: one JSON object per line, with the fields of the current {@link #context()}
 * ({@code connectionId}, {@code requestId}, {@code correlationId}, ...) added to every line.
 * In Lambda stdout goes to CloudWatch Logs; the local gateway prints the same lines.
 *
 * <p>Never pass a token or a query string with a token: {@link #redact} exists for URLs.
 */
public final class JsonLog {
    private static final ThreadLocal<Map<String, Object>> CONTEXT = ThreadLocal.withInitial(LinkedHashMap::new);
    private static volatile Consumer<String> sink = System.out::println;
    private static volatile Clock clock = Clock.systemUTC();

    private final String logger;

    private JsonLog(String logger) {
        this.logger = logger;
    }

    public static JsonLog get(Class<?> type) {
        return new JsonLog(type.getSimpleName());
    }

    /**
     * The fields added to every line logged by the current invocation (see {@link #invocation}); outside any
     * invocation, by this thread until {@link #clearContext()}.
     */
    public static Map<String, Object> context() {
        return CONTEXT.get();
    }

    public static void clearContext() {
        CONTEXT.get().clear();
    }

    /** Closing a scope restores the context that was current when it was opened. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Opens the log context of one invocation (a Lambda request, a gateway event): exactly {@code fields}, nothing
     * inherited from whatever ran on this thread before, and nothing left behind once the scope is closed. Threads
     * are pooled (Jetty's, the dispatcher's), so a context that outlived its invocation would tag the next unrelated
     * line on that thread with another connection's id.
     *
     * <pre>try (JsonLog.Scope s = JsonLog.invocation(Map.of("connectionId", id))) { ... }</pre>
     */
    public static Scope invocation(Map<String, ?> fields) {
        return open(new LinkedHashMap<>(fields));
    }

    private static Scope open(Map<String, Object> context) {
        Map<String, Object> saved = CONTEXT.get();
        CONTEXT.set(context);
        return () -> CONTEXT.set(saved);
    }

    /**
     * Runs {@code body} with the current context plus {@code fields} (e.g. a fan-out task carrying its event's
     * context to a pool thread), restoring the previous context afterwards.
     */
    public static void withContext(Map<String, ?> fields, Runnable body) {
        Map<String, Object> ctx = new LinkedHashMap<>(CONTEXT.get());
        ctx.putAll(fields);
        try (Scope s = open(ctx)) {
            body.run();
        }
    }

    /** Where lines go (tests capture them; the default is stdout). */
    public static void setSink(Consumer<String> newSink) {
        sink = newSink == null ? System.out::println : newSink;
    }

    public static void setSink(PrintStream out) {
        setSink(out::println);
    }

    public void info(String message, Object... keyValues) {
        write("INFO", message, null, keyValues);
    }

    public void warn(String message, Object... keyValues) {
        write("WARN", message, null, keyValues);
    }

    public void error(String message, Throwable t, Object... keyValues) {
        write("ERROR", message, t, keyValues);
    }

    public void debug(String message, Object... keyValues) {
        if (DEBUG) write("DEBUG", message, null, keyValues);
    }

    /** LOG_LEVEL of the environment contract ({@code RealtimeEnv.Var.LOG_LEVEL}), read once. */
    private static final boolean DEBUG = "DEBUG".equalsIgnoreCase(System.getenv("LOG_LEVEL"));

    private void write(String level, String message, Throwable t, Object... keyValues) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", clock.instant().toString());
        line.put("level", level);
        line.put("logger", logger);
        line.put("message", message);
        line.putAll(CONTEXT.get());
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            line.put(String.valueOf(keyValues[i]), keyValues[i + 1]);
        }
        if (t != null) {
            line.put("error", t.getClass().getName());
            line.put("errorMessage", String.valueOf(t.getMessage()));
        }
        String text;
        try {
            text = LogJson.write(line);
        } catch (RuntimeException e) {
            StringBuilder fallback =
                    new StringBuilder("{\"level\":\"").append(level).append("\",\"message\":");
            LogJson.string(fallback, String.valueOf(message));
            text = fallback.append(",\"logError\":\"unserializable field\"}").toString();
        }
        sink.accept(redactTokens(text));
    }

    /** CloudWatch namespace of the metrics the functions emit (the CDK dashboard and alarms read it). */
    public static final String METRICS_NAMESPACE = "PyerpRealtime";

    /**
     * Emits counts as one CloudWatch Embedded Metric Format line (no API call: CloudWatch Logs extracts
     * the metrics from the log line), in {@link #METRICS_NAMESPACE} without dimensions.
     */
    public void metrics(Map<String, ? extends Number> counts) {
        Map<String, Object> line = new LinkedHashMap<>();
        java.util.List<Map<String, Object>> defs = new java.util.ArrayList<>();
        counts.keySet().forEach(k -> defs.add(Map.of("Name", k, "Unit", "Count")));
        line.put(
                "_aws",
                Map.of(
                        "Timestamp",
                        clock.millis(),
                        "CloudWatchMetrics",
                        java.util.List.of(Map.of(
                                "Namespace",
                                METRICS_NAMESPACE,
                                "Dimensions",
                                java.util.List.of(java.util.List.of()),
                                "Metrics",
                                defs))));
        line.put("level", "INFO");
        line.put("logger", logger);
        line.put("message", "metrics");
        line.putAll(CONTEXT.get());
        line.putAll(counts);
        sink.accept(redactTokens(LogJson.write(line)));
    }

    /** A URL or query string with the value of any {@code token} parameter replaced by {@code REDACTED}. */
    public static String redact(String urlOrQuery) {
        if (urlOrQuery == null) return null;
        return redactTokens(urlOrQuery.replaceAll(
                "(?i)((?:^|[?&])(?:token|access_token|id_token|jwt|auth|to%6Ben|%74oken)=)[^&#]*", "$1REDACTED"));
    }

    /**
     * Anything shaped like a JWT (a compact JWS or JWE: a base64url JSON header, {@code eyJ...} or {@code ewo...},
     * then dot-separated base64url parts) wherever it appears: a URL, a query parameter under any name, a header,
     * a frame. Every line {@link JsonLog} writes passes through this, so no code path can log a token.
     */
    public static String redactTokens(String text) {
        if (text == null || (text.indexOf("eyJ") < 0 && text.indexOf("ewo") < 0)) return text;
        return JWT_SHAPE.matcher(text).replaceAll("REDACTED-JWT");
    }

    private static final java.util.regex.Pattern JWT_SHAPE =
            java.util.regex.Pattern.compile("(?:eyJ|ewo)[A-Za-z0-9_-]{2,}(?:(?:\\.|%2[Ee])[A-Za-z0-9_-]*){1,4}");
}
