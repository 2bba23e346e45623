package com.pyerp.realtime.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * How API Gateway evaluates a Lambda authorizer's IAM policy for the route being authorized: a statement applies when
 * one of its {@code Action}s covers {@code execute-api:Invoke} and one of its {@code Resource}s covers the route's
 * method ARN ({@code arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{route}}), with IAM's {@code *} and
 * {@code ?} wildcards. An applying Deny wins; otherwise an applying Allow allows; anything else is denied (403).
 * An Allow whose Resource names another API, stage or route therefore denies, as on AWS.
 *
 * <p>See https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html and
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
 * (the execute-api ARN and its wildcards).
 */
final class AuthorizerPolicy {
    private AuthorizerPolicy() {}

    /** Whether the policy document allows invoking {@code methodArn}. */
    static boolean allows(JsonNode policyDocument, String methodArn) {
        boolean allowed = false;
        for (JsonNode st : list(policyDocument.path("Statement"))) {
            if (!applies(st, methodArn)) continue;
            String effect = st.path("Effect").asString("");
            if (effect.equals("Deny")) return false;
            if (effect.equals("Allow")) allowed = true;
        }
        return allowed;
    }

    private static boolean applies(JsonNode statement, String methodArn) {
        boolean action = false;
        for (JsonNode a : list(statement.path("Action"))) {
            // action names are case-insensitive in IAM
            if (glob(a.asString("").toLowerCase(Locale.ROOT))
                    .matcher("execute-api:invoke")
                    .matches()) action = true;
        }
        if (!action) return false;
        for (JsonNode r : list(statement.path("Resource"))) {
            if (glob(r.asString("")).matcher(methodArn).matches()) return true;
        }
        return false;
    }

    /** A value that may be one item or an array of them. */
    private static List<JsonNode> list(JsonNode n) {
        List<JsonNode> out = new ArrayList<>();
        if (n == null || n.isMissingNode() || n.isNull()) return out;
        if (n.isArray()) n.forEach(out::add);
        else out.add(n);
        return out;
    }

    /** IAM's wildcards: {@code *} any run of characters, {@code ?} one character; the rest literal. */
    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) re.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) re.append(Pattern.quote(literal.toString()));
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
