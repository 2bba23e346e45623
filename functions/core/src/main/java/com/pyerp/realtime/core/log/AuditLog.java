package com.pyerp.realtime.core.log;

import java.util.ArrayList;
import java.util.List;

/**
 * The audit log: one JSON line per security decision (connect allowed or refused, subscribe refused, rate
 * limited, token expired, sessions revoked, a limit hit), on its own logger ({@code "logger":"AuditLog"}), so that
 * the stack can route, keep and alarm on it separately (infra-cdk: the audit log group, its metric filter and
 * alarm). Every line carries {@code audit:true}, the {@code decision}, the {@code outcome} ({@code allowed} or
 * {@code refused}), the {@code reason} and whatever of {@code userId}, {@code tenant}, {@code connectionId},
 * {@code sourceIp} is known (the thread's log context adds the connection id and request ids). Never a token:
 * reasons come from the verifier, which never echoes one, and {@link JsonLog} redacts anything JWT-shaped anyway.
 */
public final class AuditLog {
    /** The logger name the stack's metric filter matches. */
    public static final String LOGGER = "AuditLog";

    private static final JsonLog LOG = JsonLog.get(AuditLog.class);

    private AuditLog() {}

    public static void allowed(String decision, String reason, Object... keyValues) {
        write(decision, "allowed", reason, keyValues);
    }

    public static void refused(String decision, String reason, Object... keyValues) {
        write(decision, "refused", reason, keyValues);
    }

    private static void write(String decision, String outcome, String reason, Object... keyValues) {
        List<Object> kv = new ArrayList<>(List.of(
                "audit", true, "decision", decision, "outcome", outcome, "reason", reason == null ? "" : reason));
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                kv.add(keyValues[i]);
                kv.add(keyValues[i + 1]);
            }
        }
        LOG.info("audit " + decision + " " + outcome, kv.toArray());
    }
}
