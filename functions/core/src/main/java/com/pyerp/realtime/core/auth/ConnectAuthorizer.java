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
