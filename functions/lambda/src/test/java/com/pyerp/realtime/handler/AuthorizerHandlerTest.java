package com.pyerp.realtime.handler;

import static com.pyerp.realtime.handler.LambdaFixtures.context;
import static com.pyerp.realtime.handler.LambdaFixtures.event;
import static com.pyerp.realtime.handler.LambdaFixtures.toJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import com.pyerp.realtime.core.auth.ConnectAuthorizer;
import com.pyerp.realtime.core.auth.TestTokens;
import com.pyerp.realtime.core.log.JsonLog;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AuthorizerHandlerTest {
    private static final String METHOD_ARN = "arn:aws:execute-api:eu-central-1:123456789012:a1b2c3d4e5/prod/$connect";
    private static final AuthorizerHandler HANDLER = new AuthorizerHandler(new ConnectAuthorizer(
            TestTokens.verifier(Set.of("ES256", "RS256"), null), Set.of("https://erp.pyerp.example")));

    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void captureLogs() {
        JsonLog.setSink(logLines::add);
    }

    @AfterEach
    void restoreLogs() {
        JsonLog.setSink((java.util.function.Consumer<String>) null);
    }

    private static APIGatewayCustomAuthorizerEvent request(String fixture, String token) {
        return event(fixture, APIGatewayCustomAuthorizerEvent.class, Map.of("TOKEN_PLACEHOLDER", token));
    }

    private void assertTokenNeverLogged(String token) {
        assertThat(logLines).isNotEmpty().allSatisfy(line -> assertThat(line).doesNotContain(token));
    }

    @Test
    void fixture_shouldDeserializeLikeTheLambdaRuntimeDoes() {
        APIGatewayCustomAuthorizerEvent e = request("authorizer-request.json", "abc");

        assertThat(e.getType()).isEqualTo("REQUEST");
        assertThat(e.getMethodArn()).isEqualTo(METHOD_ARN);
        assertThat(e.getHeaders())
                .containsEntry("Sec-WebSocket-Protocol", "erp.v1, abc")
                .containsEntry("Origin", "https://erp.pyerp.example");
        assertThat(e.getRequestContext().getRequestId()).isEqualTo("CxK8pFiAFiAFdLw=");
        assertThat(e.getRequestContext().getApiId()).isEqualTo("a1b2c3d4e5");
    }

    @Test
    void handleRequest_shouldAllowTheConnectRoute_withThePrincipalAsContext_whenTheSubprotocolTokenIsValid() {
        String token = TestTokens.es256();

        IamPolicyResponseV1 policy =
                HANDLER.handleRequest(request("authorizer-request.json", token), context("authorizer"));

        JsonNode json = toJson(policy, IamPolicyResponseV1.class);
        assertThat(json.get("principalId").asString()).isEqualTo("acme/alice");
        JsonNode doc = json.get("policyDocument");
        assertThat(doc.get("Version").asString()).isEqualTo("2012-10-17");
        assertThat(doc.get("Statement")).hasSize(1);
        JsonNode statement = doc.get("Statement").get(0);
        // exactly the IAM policy member names API Gateway reads (no null Condition written)
        assertThat(statement.propertyNames()).containsExactlyInAnyOrder("Action", "Resource", "Effect");
        assertThat(json.propertyNames()).containsExactlyInAnyOrder("principalId", "policyDocument", "context");
        assertThat(statement.get("Effect").asString()).isEqualTo("Allow");
        assertThat(statement.get("Action").asString()).isEqualTo("execute-api:Invoke");
        assertThat(statement.get("Resource")).extracting(JsonNode::asString).containsExactly(METHOD_ARN);
        JsonNode ctx = json.get("context");
        assertThat(ctx.get("userId").asString()).isEqualTo("alice");
        assertThat(ctx.get("tenant").asString()).isEqualTo("acme");
        assertThat(ctx.get("roles").asString()).isEqualTo("inventory:read,sales:read");
        assertThat(ctx.get("scope.warehouses").asString()).isEqualTo("WH-1,WH-2");
        // API Gateway keeps only strings, numbers and booleans in the context
        assertThat(ctx.properties())
                .allSatisfy(e ->
                        assertThat(e.getValue().isValueNode()).as(e.getKey()).isTrue());
        assertThat(json.toString()).doesNotContain(token);
        assertTokenNeverLogged(token);
    }

    @Test
    void handleRequest_shouldAllow_whenTheTokenComesInTheQueryString() {
        String token = TestTokens.rs256(b -> b.subject("bob"));

        IamPolicyResponseV1 policy =
                HANDLER.handleRequest(request("authorizer-request-query-token.json", token), context("authorizer"));

        JsonNode json = toJson(policy, IamPolicyResponseV1.class);
        assertThat(json.get("principalId").asString()).isEqualTo("acme/bob");
        assertThat(json.get("policyDocument")
                        .get("Statement")
                        .get(0)
                        .get("Effect")
                        .asString())
                .isEqualTo("Allow");
        assertTokenNeverLogged(token);
    }

    @Test
    void handleRequest_shouldThrowUnauthorized_whenTheTokenIsExpired() {
        String expired = TestTokens.es256(b -> b.expirationTime(new Date(System.currentTimeMillis() - 3_600_000)));

        assertThatThrownBy(
                        () -> HANDLER.handleRequest(request("authorizer-request.json", expired), context("authorizer")))
                .isInstanceOf(AuthorizerHandler.UnauthorizedException.class)
                .hasMessage("Unauthorized");
        assertTokenNeverLogged(expired);
        assertThat(logLines)
                .anySatisfy(l -> assertThat(l).contains("UNAUTHORIZED").contains("Expired"));
    }

    @Test
    void handleRequest_shouldThrowUnauthorized_whenTheTokenIsGarbageOrSignedByAStranger() {
        String stranger = TestTokens.sign(
                TestTokens.ec("ec-1"),
                new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.ES256)
                        .keyID("ec-1")
                        .build(),
                TestTokens.claims("mallory", "acme").build());

        assertThatThrownBy(() ->
                        HANDLER.handleRequest(request("authorizer-request.json", "not-a-jwt"), context("authorizer")))
                .isInstanceOf(AuthorizerHandler.UnauthorizedException.class)
                .hasMessage("Unauthorized");
        assertThatThrownBy(() ->
                        HANDLER.handleRequest(request("authorizer-request.json", stranger), context("authorizer")))
                .isInstanceOf(AuthorizerHandler.UnauthorizedException.class)
                .hasMessage("Unauthorized");
    }

    @Test
    void handleRequest_shouldThrowUnauthorized_whenNoTokenIsOffered() {
        APIGatewayCustomAuthorizerEvent e = request("authorizer-request.json", "x");
        e.getHeaders().remove("Sec-WebSocket-Protocol");

        assertThatThrownBy(() -> HANDLER.handleRequest(e, context("authorizer")))
                .isInstanceOf(AuthorizerHandler.UnauthorizedException.class)
                .hasMessage("Unauthorized");
    }

    @Test
    void handleRequest_shouldDeny_whenTheOriginIsNotAllowed() {
        String token = TestTokens.es256();
        APIGatewayCustomAuthorizerEvent e = request("authorizer-request.json", token);
        e.getHeaders().put("Origin", "https://evil.example");

        IamPolicyResponseV1 policy = HANDLER.handleRequest(e, context("authorizer"));

        JsonNode json = toJson(policy, IamPolicyResponseV1.class);
        JsonNode statement = json.get("policyDocument").get("Statement").get(0);
        assertThat(statement.get("Effect").asString()).isEqualTo("Deny");
        assertThat(statement.get("Resource")).extracting(JsonNode::asString).containsExactly(METHOD_ARN);
        assertThat(json.get("principalId").asString()).isEqualTo("anonymous");
        assertThat(json.has("context"))
                .as("a denied connection carries no principal context")
                .isFalse();
        assertTokenNeverLogged(token);
    }

    @Test
    void unauthorizedException_shouldCarryExactlyTheMessageApiGatewayMapsTo401() {
        AuthorizerHandler.UnauthorizedException e = new AuthorizerHandler.UnauthorizedException();

        assertThat(e.getMessage()).isEqualTo("Unauthorized");
        assertThat(e.getStackTrace()).as("no stack trace to log").isEmpty();
    }
}
