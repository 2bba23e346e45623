package com.pyerp.realtime.local;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Request;

/**
 * The optional {@code --require-sigv4} check: a request to {@code @connections} or PutEvents must carry a Signature
 * Version 4 {@code Authorization} header of the right shape for its service, so code that forgets to sign fails locally
 * as it fails on AWS. Only the presence and shape are checked (algorithm, credential scope, signed headers, a
 * 64-hex-digit signature, an {@code X-Amz-Date} that matches the scope), never the secret: there is none locally.
 *
 * <p>AWS answers a request without a signature with {@code MissingAuthenticationToken} (403) and a malformed one with
 * {@code IncompleteSignature} (https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html; API
 * Gateway answers 403 for both, https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
 * requires IAM SigV4 for {@code @connections}).
 */
final class SigV4Check {
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/,\\s]+)/(\\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request,\\s*"
                    + "SignedHeaders=([a-z0-9;-]+),\\s*Signature=([0-9a-f]{64})");
    private static final Pattern AMZ_DATE = Pattern.compile("(\\d{8})T\\d{6}Z");

    /** What is wrong with the request's signature; {@link Verdict#OK} when it has the right shape. */
    record Verdict(boolean missing, String problem) {
        static final Verdict OK = new Verdict(false, null);

        boolean ok() {
            return problem == null;
        }
    }

    private SigV4Check() {}

    /** Checks a request to {@code service} ({@code execute-api} for @connections, {@code events} for PutEvents). */
    static Verdict check(Request request, String service) {
        return check(
                request.getHeaders().get("Authorization"), request.getHeaders().get("X-Amz-Date"), service);
    }

    /** The check itself, on the two headers. */
    static Verdict check(String auth, String date, String service) {
        if (auth == null || auth.isBlank()) return new Verdict(true, "Missing Authentication Token");
        Matcher m = AUTHORIZATION.matcher(auth.trim());
        if (!m.matches())
            return new Verdict(
                    false,
                    "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of"
                            + " AWS4-HMAC-SHA256 (Signature Version 4)");
        if (!m.group(4).equals(service))
            return new Verdict(
                    false,
                    "Credential should be scoped to correct service: '" + service + "', not '" + m.group(4) + "'");
        java.util.List<String> signed = java.util.List.of(m.group(5).split(";"));
        if (!signed.contains("host"))
            return new Verdict(false, "'Host' must be a signed header (SignedHeaders=" + m.group(5) + ")");
        Matcher d = date == null ? null : AMZ_DATE.matcher(date);
        if (d == null || !d.matches())
            return new Verdict(
                    false, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header");
        if (!d.group(1).equals(m.group(2)))
            return new Verdict(false, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date");
        return Verdict.OK;
    }
}
