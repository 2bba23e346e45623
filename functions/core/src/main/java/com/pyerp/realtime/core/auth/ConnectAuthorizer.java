package com.pyerp.realtime.core.auth;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The $connect decision: origin allow-list, token extraction (from {@code Sec-WebSocket-Protocol:
 * erp.v1, <jwt>} or the {@code token} query parameter), token verification.
 */
public final class ConnectAuthorizer {
    /** The subprotocol of the client protocol; the only value the server ever echoes. */
    public static final String SUBPROTOCOL = "erp.v1";

    public static final String PROTOCOL_HEADER = "Sec-WebSocket-Protocol";
    public static final String TOKEN_QUERY_PARAM = "token";

    /** The outcome; {@code reason} is safe to log. */
    public record Decision(boolean allowed, Principal principal, ErrorCode code, String reason) {
        static Decision allow(Principal p) {
            return new Decision(true, p, null, "allowed");
        }

        static Decision deny(ErrorCode code, String reason) {
            return new Decision(false, null, code, reason);
        }
    }

    private final TokenVerifier verifier;
    private final Set<String> allowedOrigins;

    public ConnectAuthorizer(TokenVerifier verifier, Set<String> allowedOrigins) {
        this.verifier = verifier;
        this.allowedOrigins = Set.copyOf(allowedOrigins);
    }

    public static ConnectAuthorizer fromEnv(RealtimeEnv env) {
        return new ConnectAuthorizer(new TokenVerifier(TokenVerifier.Config.from(env)), env.allowedOrigins());
    }

    /**
     * @param headers request headers (any case)
     * @param query   query string parameters
     */
    public Decision authorize(Map<String, String> headers, Map<String, String> query) {
        return authorize(headers, query, null);
    }

    /** Query parameter names (any case) under which a client might send a token; more than one token is refused. */
    static final Set<String> TOKEN_PARAM_NAMES = Set.of("token", "access_token", "id_token", "jwt", "auth");

    /**
     * @param multiQuery every value of every query parameter (API Gateway's multiValueQueryStringParameters), or null
     */
    public Decision authorize(
            Map<String, String> headers, Map<String, String> query, Map<String, List<String>> multiQuery) {
        Decision two = twoTokens(headers, query, multiQuery);
        if (two != null) return two;
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) h.putAll(headers);
        String origin = h.get("Origin");
        if (origin != null && !allowedOrigins.contains(origin)) {
            return Decision.deny(ErrorCode.FORBIDDEN, "origin not allowed: " + origin);
        }
        String token;
        String protocols = h.get(PROTOCOL_HEADER);
        if (protocols != null) {
            List<String> offered = splitProtocols(protocols);
            if (offered.size() == 1
                    && offered.get(0).equals(SUBPROTOCOL)
                    && query != null
                    && query.get(TOKEN_QUERY_PARAM) != null) {
                token = query.get(TOKEN_QUERY_PARAM); // the query-parameter fallback, with only the protocol offered
            } else if (offered.size() != 2 || !offered.get(0).equals(SUBPROTOCOL)) {
                return Decision.deny(
                        ErrorCode.UNAUTHORIZED,
                        "Sec-WebSocket-Protocol must offer exactly '" + SUBPROTOCOL + ", <token>', or only '"
                                + SUBPROTOCOL + "' with the token query parameter");
            } else {
                token = offered.get(1);
            }
        } else {
            token = query == null ? null : query.get(TOKEN_QUERY_PARAM);
        }
        if (token == null || token.isBlank()) {
            return Decision.deny(
                    ErrorCode.UNAUTHORIZED, "no token in Sec-WebSocket-Protocol or the token query parameter");
        }
        try {
            return Decision.allow(verifier.verify(token));
        } catch (TokenVerifier.InvalidTokenException e) {
            return Decision.deny(ErrorCode.UNAUTHORIZED, e.getMessage());
        }
    }

    /**
     * Refuses a handshake that carries more than one token (subprotocol, query parameters, Authorization header):
     * which one would be checked is ambiguous, and an ignored second token hides a forgery attempt.
     */
    private static Decision twoTokens(
            Map<String, String> headers, Map<String, String> query, Map<String, List<String>> multiQuery) {
        int tokens = 0;
        if (headers != null) {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(PROTOCOL_HEADER) && e.getValue() != null) {
                    for (String p : splitProtocols(e.getValue())) if (!p.equals(SUBPROTOCOL)) tokens++;
                }
                if (e.getKey().equalsIgnoreCase("Authorization")
                        && e.getValue() != null
                        && !e.getValue().isBlank()) tokens++;
            }
        }
        Map<String, List<String>> q = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (query != null) query.forEach((k, v) -> q.put(k, v == null ? List.of() : List.of(v)));
        if (multiQuery != null) multiQuery.forEach((k, v) -> q.put(k, v == null ? List.of() : v));
        for (Map.Entry<String, List<String>> e : q.entrySet()) {
            if (TOKEN_PARAM_NAMES.contains(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                tokens += (int) e.getValue().stream()
                        .filter(v -> v != null && !v.isBlank())
                        .count();
            }
        }
        return tokens > 1
                ? Decision.deny(ErrorCode.UNAUTHORIZED, "the handshake carries more than one token; send exactly one")
                : null;
    }

    /** Whether the client offered {@link #SUBPROTOCOL}, so $connect must echo it. */
    public static boolean offersSubprotocol(Map<String, String> headers) {
        if (headers == null) return false;
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(PROTOCOL_HEADER))
                return splitProtocols(e.getValue()).contains(SUBPROTOCOL);
        }
        return false;
    }

    static List<String> splitProtocols(String header) {
        List<String> out = new ArrayList<>();
        for (String s : header.split(",")) {
            if (!s.isBlank()) out.add(s.trim());
        }
        return out;
    }
}
