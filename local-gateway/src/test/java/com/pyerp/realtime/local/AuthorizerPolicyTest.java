package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.events.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** API Gateway's evaluation of an authorizer policy: the Allow must cover execute-api:Invoke on the route's ARN. */
class AuthorizerPolicyTest {
    static final String ARN = "arn:aws:execute-api:us-east-1:000000000000:local/local/$connect";

    private static JsonNode policy(String statements) {
        return Json.mapper().readTree("{\"Version\":\"2012-10-17\",\"Statement\":" + statements + "}");
    }

    private static String statement(String effect, String action, String resource) {
        return "{\"Effect\":\"" + effect + "\",\"Action\":" + action + ",\"Resource\":" + resource + "}";
    }

    @Test
    void allowOnTheExactArn_orAWildcardCoveringIt_allows() {
        assertThat(AuthorizerPolicy.allows(
                        policy("[" + statement("Allow", "\"execute-api:Invoke\"", "\"" + ARN + "\"") + "]"), ARN))
                .isTrue();
        assertThat(AuthorizerPolicy.allows(
                        policy(statement("Allow", "[\"execute-api:*\"]", "\"arn:aws:execute-api:*:*:local/*\"")), ARN))
                .as("a single statement object, wildcards")
                .isTrue();
        assertThat(AuthorizerPolicy.allows(
                        policy("["
                                + statement(
                                        "Allow",
                                        "\"*\"",
                                        "[\"arn:other\",\"arn:aws:execute-api:us-east-1:000000000000:local/loca?/$connect\"]")
                                + "]"),
                        ARN))
                .isTrue();
    }

    /** Regression: the local gateway ignored the Resource, so an Allow for another route or API let the client in. */
    @Test
    void allowWhoseResourceDoesNotCoverTheRoute_denies() {
        assertThat(AuthorizerPolicy.allows(
                        policy("["
                                + statement(
                                        "Allow",
                                        "\"execute-api:Invoke\"",
                                        "\"arn:aws:execute-api:us-east-1:000000000000:local/local/$default\"")
                                + "]"),
                        ARN))
                .isFalse();
        assertThat(AuthorizerPolicy.allows(
                        policy("["
                                + statement(
                                        "Allow",
                                        "\"execute-api:Invoke\"",
                                        "\"arn:aws:execute-api:us-east-1:000000000000:other/*\"")
                                + "]"),
                        ARN))
                .isFalse();
        assertThat(AuthorizerPolicy.allows(policy("[" + statement("Allow", "\"s3:GetObject\"", "\"*\"") + "]"), ARN))
                .as("another action")
                .isFalse();
        assertThat(AuthorizerPolicy.allows(policy("[]"), ARN))
                .as("no statement")
                .isFalse();
    }

    @Test
    void aDenyCoveringTheRoute_winsOverAnAllow() {
        assertThat(AuthorizerPolicy.allows(
                        policy("[" + statement("Allow", "\"execute-api:Invoke\"", "\"*\"") + ","
                                + statement("Deny", "\"execute-api:Invoke\"", "\"" + ARN + "\"") + "]"),
                        ARN))
                .isFalse();
        assertThat(AuthorizerPolicy.allows(
                        policy("[" + statement("Allow", "\"execute-api:Invoke\"", "\"*\"") + ","
                                + statement("Deny", "\"execute-api:Invoke\"", "\"arn:aws:execute-api:*:*:other/*\"")
                                + "]"),
                        ARN))
                .as("a Deny for another API does not apply")
                .isTrue();
    }
}
