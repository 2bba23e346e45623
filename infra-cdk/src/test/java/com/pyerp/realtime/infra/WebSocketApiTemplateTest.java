package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.JSON;
import static com.pyerp.realtime.infra.Synth.gateway;
import static com.pyerp.realtime.infra.Synth.logicalId;
import static com.pyerp.realtime.infra.Synth.ref;
import static com.pyerp.realtime.infra.Synth.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.protocol.ApiRoutes;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.assertions.Match;
import tools.jackson.databind.JsonNode;

@Timeout(300)
class WebSocketApiTemplateTest {

    private static final Map<String, GatewayFunction> ROUTES = Map.of(
            "$connect", GatewayFunction.CONNECT,
            "$disconnect", GatewayFunction.DISCONNECT,
            "$default", GatewayFunction.COMMAND,
            "subscribe", GatewayFunction.COMMAND,
            "unsubscribe", GatewayFunction.COMMAND,
            "ping", GatewayFunction.COMMAND,
            "refresh", GatewayFunction.COMMAND,
            "presence", GatewayFunction.COMMAND,
            "publish", GatewayFunction.COMMAND);

    @Test
    void routes_areTheSharedApiRoutes() {
        java.util.Set<String> shared = new java.util.HashSet<>(ApiRoutes.COMMAND_ROUTES);
        shared.add(ApiRoutes.CONNECT);
        shared.add(ApiRoutes.DISCONNECT);
        assertThat(ROUTES.keySet()).isEqualTo(shared);
        assertThat(ApiRoutes.ROUTE_SELECTION_EXPRESSION).isEqualTo("$request.body.action");
    }

    @Test
    void api_isWebSocket_withActionRouteSelection() {
        template().resourceCountIs("AWS::ApiGatewayV2::Api", 1);
        template()
                .hasResourceProperties(
                        "AWS::ApiGatewayV2::Api",
                        Match.objectLike(Map.of(
                                "ProtocolType", "WEBSOCKET",
                                "RouteSelectionExpression", "$request.body.action")));
    }

    @Test
    void everyRoute_targetsTheAliasOfItsFunction() {
        JsonNode resources = Synth.json(template()).path("Resources");
        Map<String, String> integrationByRoute = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = resources.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().path("Type").asString().equals("AWS::ApiGatewayV2::Route")) continue;
            JsonNode p = e.getValue().path("Properties");
            JsonNode target = p.path("Target").path("Fn::Join").path(1);
            assertThat(target.path(0).asString()).isEqualTo("integrations/");
            integrationByRoute.put(
                    p.path("RouteKey").asString(), target.path(1).path("Ref").asString());
        }
        assertThat(integrationByRoute).containsOnlyKeys(ROUTES.keySet());
        for (Map.Entry<String, GatewayFunction> r : ROUTES.entrySet()) {
            JsonNode integration =
                    resources.path(integrationByRoute.get(r.getKey())).path("Properties");
            assertThat(integration.path("IntegrationType").asString()).isEqualTo("AWS_PROXY");
            // arn:...:apigateway:{region}:lambda:path/2015-03-31/functions/{alias arn}/invocations
            JsonNode uri = integration.path("IntegrationUri").path("Fn::Join").path(1);
            List<JsonNode> parts = new java.util.ArrayList<>();
            uri.forEach(parts::add);
            assertThat(parts)
                    .as("integration of %s", r.getKey())
                    .contains(Synth.tree(ref(gateway().function(r.getValue()).alias())));
        }
    }

    @Test
    void connectRoute_usesTheRequestAuthorizer_withoutIdentitySource() {
        String authorizerId = template().getResourceId("AWS::ApiGatewayV2::Authorizer");
        template()
                .hasResourceProperties(
                        "AWS::ApiGatewayV2::Route",
                        Match.objectEquals(Map.of(
                                "ApiId", ref(gateway().api()),
                                "RouteKey", "$connect",
                                "AuthorizationType", "CUSTOM",
                                "AuthorizerId", Map.of("Ref", authorizerId),
                                "Target", Match.anyValue())));
        // no identity source: a missing Sec-WebSocket-Protocol must not make API Gateway answer 401 before ?token= is
        // read
        template()
                .hasResourceProperties(
                        "AWS::ApiGatewayV2::Authorizer",
                        Match.objectEquals(Map.of(
                                "ApiId",
                                ref(gateway().api()),
                                "AuthorizerType",
                                "REQUEST",
                                "Name",
                                "JwtAuthorizer",
                                "AuthorizerUri",
                                Map.of(
                                        "Fn::Join",
                                        List.of(
                                                "",
                                                List.of(
                                                        "arn:",
                                                        Map.of("Ref", "AWS::Partition"),
                                                        ":apigateway:",
                                                        Map.of("Ref", "AWS::Region"),
                                                        ":lambda:path/2015-03-31/functions/",
                                                        ref(gateway()
                                                                .function(GatewayFunction.AUTHORIZER)
                                                                .alias()),
                                                        "/invocations"))))));
        for (String other :
                List.of("$disconnect", "$default", "subscribe", "unsubscribe", "ping", "presence", "publish")) {
            template()
                    .hasResourceProperties(
                            "AWS::ApiGatewayV2::Route",
                            Match.objectLike(Map.of(
                                    "RouteKey", other, "AuthorizationType", "NONE", "AuthorizerId", Match.absent())));
        }
    }

    @Test
    void commandRoutes_areTwoWay_withADefaultRouteResponse() {
        for (String route : List.of("$default", "subscribe", "unsubscribe", "ping", "refresh", "presence", "publish")) {
            template()
                    .hasResourceProperties(
                            "AWS::ApiGatewayV2::Route",
                            Match.objectLike(
                                    Map.of("RouteKey", route, "RouteResponseSelectionExpression", "$default")));
        }
        for (String route : List.of("$connect", "$disconnect")) {
            template()
                    .hasResourceProperties(
                            "AWS::ApiGatewayV2::Route",
                            Match.objectLike(
                                    Map.of("RouteKey", route, "RouteResponseSelectionExpression", Match.absent())));
        }
        Map<String, Map<String, Object>> responses = template().findResources("AWS::ApiGatewayV2::RouteResponse");
        assertThat(responses).hasSize(ApiRoutes.COMMAND_ROUTES.size());
        JsonNode resources = Synth.json(template()).path("Resources");
        List<String> routesWithResponse = responses.values().stream()
                .map(r -> JSON.valueToTree(r).path("Properties"))
                .peek(p -> assertThat(p.path("RouteResponseKey").asString()).isEqualTo("$default"))
                .map(p -> resources
                        .path(p.path("RouteId").path("Ref").asString())
                        .path("Properties")
                        .path("RouteKey")
                        .asString())
                .toList();
        assertThat(routesWithResponse)
                .containsExactlyInAnyOrder(
                        "$default", "subscribe", "unsubscribe", "ping", "refresh", "presence", "publish");
    }

    // Regression: one WebSocketLambdaIntegration shared by several routes is bound once by CDK, so only the first
    // route got an invoke permission (source arn .../*$default) and API Gateway could not call
    // subscribe/unsubscribe/ping.
    @Test
    void everyRoute_hasItsOwnInvokePermission_scopedToThisApiAndRoute() {
        for (Map.Entry<String, GatewayFunction> r : ROUTES.entrySet()) {
            template()
                    .hasResourceProperties(
                            "AWS::Lambda::Permission",
                            Match.objectEquals(Map.of(
                                    "Action",
                                    "lambda:InvokeFunction",
                                    "Principal",
                                    "apigateway.amazonaws.com",
                                    "FunctionName",
                                    ref(gateway().function(r.getValue()).alias()),
                                    "SourceArn",
                                    Synth.executeApiArn(gateway().api(), "/*" + r.getKey()))));
        }
        // and the authorizer may be invoked by this API's authorizer only
        template()
                .hasResourceProperties(
                        "AWS::Lambda::Permission",
                        Match.objectLike(
                                Map.of(
                                        "FunctionName",
                                                ref(gateway()
                                                        .function(GatewayFunction.AUTHORIZER)
                                                        .alias()),
                                        "Principal", "apigateway.amazonaws.com",
                                        "SourceArn",
                                                Map.of(
                                                        "Fn::Join",
                                                        List.of(
                                                                "",
                                                                Match.arrayWith(
                                                                        List.of(
                                                                                "/authorizers/",
                                                                                Map.of(
                                                                                        "Ref",
                                                                                        template()
                                                                                                .getResourceId(
                                                                                                        "AWS::ApiGatewayV2::Authorizer")))))))));
    }

    @Test
    void stage_autoDeploys_throttles_andWritesJsonAccessLogs() {
        template()
                .hasResourceProperties(
                        "AWS::ApiGatewayV2::Stage",
                        Match.objectLike(Map.of(
                                "ApiId", ref(gateway().api()),
                                "StageName", "live",
                                "AutoDeploy", true,
                                "DefaultRouteSettings",
                                        Map.of(
                                                "ThrottlingRateLimit", RealtimeGatewayProps.DEFAULT_THROTTLE_RATE,
                                                "ThrottlingBurstLimit", RealtimeGatewayProps.DEFAULT_THROTTLE_BURST),
                                "AccessLogSettings",
                                        Map.of(
                                                "DestinationArn",
                                                Synth.arn(gateway().accessLogs()),
                                                "Format",
                                                RealtimeGateway.ACCESS_LOG_FORMAT))));
        JsonNode format = JSON.readTree(RealtimeGateway.ACCESS_LOG_FORMAT);
        assertThat(format.isObject()).isTrue();
        for (String field : List.of(
                "requestId",
                "connectionId",
                "eventType",
                "routeKey",
                "status",
                "integrationError",
                "authorizerError")) {
            assertThat(format.path(field).asString()).as(field).startsWith("$context.");
        }
        // the JWT travels in Sec-WebSocket-Protocol or ?token=: neither headers nor the query string are ever logged
        assertThat(RealtimeGateway.ACCESS_LOG_FORMAT).doesNotContain("querystring", "header", "request.");
        template().hasResourceProperties("AWS::Logs::LogGroup", Match.objectLike(Map.of("RetentionInDays", 30)));
        // access logging of a WebSocket stage needs the region's API Gateway CloudWatch role, deployed before the stage
        String account = template().getResourceId("AWS::ApiGateway::Account");
        template()
                .hasResource(
                        "AWS::ApiGatewayV2::Stage",
                        Match.objectLike(Map.of("DependsOn", Match.arrayWith(List.of(account)))));
        template().hasResource("AWS::ApiGateway::Account", Match.objectLike(Map.of("DeletionPolicy", "Retain")));
        assertThat(logicalId(gateway().stage())).isNotBlank();
    }
}
