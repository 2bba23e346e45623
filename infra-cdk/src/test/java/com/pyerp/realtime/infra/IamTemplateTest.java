package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.JSON;
import static com.pyerp.realtime.infra.Synth.arn;
import static com.pyerp.realtime.infra.Synth.gateway;
import static com.pyerp.realtime.infra.Synth.logicalId;
import static com.pyerp.realtime.infra.Synth.template;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.assertions.Match;
import tools.jackson.databind.JsonNode;

/** Each function's role holds exactly the statements its handler needs: actions and resources are asserted whole. */
@Timeout(300)
class IamTemplateTest {

    /** One statement, normalized: sorted actions, the resource as CloudFormation renders it. */
    record Stmt(TreeSet<String> actions, Object resource) {
        static Stmt of(Object resource, String... actions) {
            return new Stmt(new TreeSet<>(List.of(actions)), JSON.valueToTree(resource));
        }
    }

    private static List<Stmt> statementsOf(GatewayFunction f) {
        String role = logicalId(gateway().function(f).role());
        List<Stmt> out = new ArrayList<>();
        int policies = 0;
        for (Map<String, Object> p :
                template().findResources("AWS::IAM::Policy").values()) {
            JsonNode props = JSON.valueToTree(p).path("Properties");
            boolean mine = false;
            for (JsonNode r : props.path("Roles"))
                mine |= r.path("Ref").asString().equals(role);
            if (!mine) continue;
            policies++;
            for (JsonNode s : props.path("PolicyDocument").path("Statement")) {
                assertThat(s.path("Effect").asString()).isEqualTo("Allow");
                assertThat(s.has("Condition")).isFalse();
                TreeSet<String> actions = new TreeSet<>();
                if (s.path("Action").isArray()) s.path("Action").forEach(a -> actions.add(a.asString()));
                else actions.add(s.path("Action").asString());
                assertThat(s.path("Resource").isArray())
                        .as("one resource per statement")
                        .isFalse();
                out.add(new Stmt(actions, s.path("Resource")));
            }
        }
        assertThat(policies).as("policies attached to the %s role", f).isEqualTo(1);
        return out;
    }

    private static Stmt logs(GatewayFunction f) {
        return Stmt.of(arn(gateway().function(f).logGroup()), "logs:CreateLogStream", "logs:PutLogEvents");
    }

    private static Object connections() {
        return arn(gateway().tables().connections());
    }

    private static Object history() {
        return arn(gateway().tables().history());
    }

    private static Object subscriptions() {
        return arn(gateway().tables().subscriptions());
    }

    @Test
    void authorizer_mayOnlyWriteItsLogs() {
        assertThat(statementsOf(GatewayFunction.AUTHORIZER))
                .containsExactlyInAnyOrder(logs(GatewayFunction.AUTHORIZER));
    }

    @Test
    void connect_mayOnlyPutConnections() {
        assertThat(statementsOf(GatewayFunction.CONNECT))
                .containsExactlyInAnyOrder(
                        logs(GatewayFunction.CONNECT),
                        Stmt.of(connections(), "dynamodb:PutItem"),
                        // the per-user connection limit counts the user's connections
                        Stmt.of(byUser(), "dynamodb:Query"));
    }

    private static Object byUser() {
        return Map.of("Fn::Join", List.of("", List.of(connections(), "/index/byUser")));
    }

    @Test
    void session_maySweepAndRevoke_andCloseConnectionsOfThisStageOnly() {
        assertThat(statementsOf(GatewayFunction.SESSION))
                .containsExactlyInAnyOrder(
                        logs(GatewayFunction.SESSION),
                        Stmt.of(connections(), "dynamodb:Scan", "dynamodb:DeleteItem"),
                        Stmt.of(byUser(), "dynamodb:Query"),
                        Stmt.of(subscriptions(), "dynamodb:Query", "dynamodb:BatchWriteItem"),
                        Stmt.of(manageConnections("POST"), "execute-api:ManageConnections"),
                        Stmt.of(manageConnections("DELETE"), "execute-api:ManageConnections"));
    }

    private static Object manageConnections(String method) {
        return Synth.executeApiArn(gateway().api(), "/live/" + method + "/@connections/*");
    }

    private static Object byChannel() {
        return Map.of("Fn::Join", List.of("", List.of(subscriptions(), "/index/byChannel")));
    }

    private static Object postToConnections() {
        return manageConnections("POST");
    }

    @Test
    void disconnect_mayRemoveTheConnectionAndItsSubscriptions_andAnnounceThePresenceLeave() {
        assertThat(statementsOf(GatewayFunction.DISCONNECT))
                .containsExactlyInAnyOrder(
                        logs(GatewayFunction.DISCONNECT),
                        Stmt.of(connections(), "dynamodb:GetItem", "dynamodb:DeleteItem"),
                        Stmt.of(subscriptions(), "dynamodb:Query", "dynamodb:BatchWriteItem"),
                        Stmt.of(byUser(), "dynamodb:Query"),
                        Stmt.of(byChannel(), "dynamodb:Query"),
                        Stmt.of(postToConnections(), "execute-api:ManageConnections"));
    }

    @Test
    void command_mayReadItsConnection_manageItsSubscriptions_readHistory_andPostToRooms() {
        assertThat(statementsOf(GatewayFunction.COMMAND))
                .containsExactlyInAnyOrder(
                        logs(GatewayFunction.COMMAND),
                        Stmt.of(connections(), "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
                        Stmt.of(
                                subscriptions(),
                                "dynamodb:PutItem",
                                "dynamodb:DeleteItem",
                                "dynamodb:Query",
                                "dynamodb:BatchWriteItem"),
                        Stmt.of(byUser(), "dynamodb:Query"),
                        Stmt.of(byChannel(), "dynamodb:Query"),
                        Stmt.of(postToConnections(), "execute-api:ManageConnections"),
                        // an expired or abusive session is closed (issue 10)
                        Stmt.of(manageConnections("DELETE"), "execute-api:ManageConnections"),
                        Stmt.of(history(), "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"));
    }

    @Test
    void
            dispatcher_mayQueryByChannel_cleanUpGoneConnections_postToThisStageOnly_keepHistory_consumeTheBuffer_deadLetter_andScatter() {
        assertThat(statementsOf(GatewayFunction.DISPATCHER))
                .containsExactlyInAnyOrder(
                        logs(GatewayFunction.DISPATCHER),
                        Stmt.of(byChannel(), "dynamodb:Query"),
                        Stmt.of(connections(), "dynamodb:GetItem", "dynamodb:DeleteItem"),
                        Stmt.of(subscriptions(), "dynamodb:Query", "dynamodb:BatchWriteItem"),
                        Stmt.of(byUser(), "dynamodb:Query"),
                        Stmt.of(postToConnections(), "execute-api:ManageConnections"),
                        Stmt.of(history(), "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
                        // what the SqsEventSource grants its function on the buffer, and no SQS action on any other
                        // queue
                        Stmt.of(
                                arn(gateway().events().dispatchBuffer()),
                                "sqs:ReceiveMessage",
                                "sqs:ChangeMessageVisibility",
                                "sqs:GetQueueUrl",
                                "sqs:DeleteMessage",
                                "sqs:GetQueueAttributes"),
                        // dead letters at once (an event that can never succeed): SendMessage on the dispatch DLQ only
                        Stmt.of(
                                arn(gateway().events().dispatchDlq()),
                                "sqs:SendMessage",
                                "sqs:GetQueueAttributes",
                                "sqs:GetQueueUrl"),
                        // scatter: sends page tasks to the fan-out queue and consumes them, on that queue only
                        Stmt.of(
                                arn(gateway().scatter().queue()),
                                "sqs:SendMessage",
                                "sqs:GetQueueAttributes",
                                "sqs:GetQueueUrl"),
                        Stmt.of(
                                arn(gateway().scatter().queue()),
                                "sqs:ReceiveMessage",
                                "sqs:ChangeMessageVisibility",
                                "sqs:GetQueueUrl",
                                "sqs:DeleteMessage",
                                "sqs:GetQueueAttributes"));
    }

    @Test
    void functionRoles_areAssumedByLambda_withoutManagedPolicies() {
        for (GatewayFunction f : GatewayFunction.values()) {
            template()
                    .hasResource(
                            "AWS::IAM::Role",
                            Match.objectLike(Map.of(
                                    "Properties",
                                    Match.objectEquals(Map.of(
                                            "AssumeRolePolicyDocument",
                                                    Map.of(
                                                            "Statement",
                                                            List.of(Map.of(
                                                                    "Action",
                                                                    "sts:AssumeRole",
                                                                    "Effect",
                                                                    "Allow",
                                                                    "Principal",
                                                                    Map.of("Service", "lambda.amazonaws.com"))),
                                                            "Version",
                                                            "2012-10-17"),
                                            "Description", Match.anyValue())))));
            assertThat(JSON.valueToTree(template().toJSON())
                            .path("Resources")
                            .path(logicalId(gateway().function(f).role()))
                            .path("Properties")
                            .has("ManagedPolicyArns"))
                    .as(f.name())
                    .isFalse();
        }
    }

    @Test
    void apiGatewayLoggingRole_hasOnlyThePushToCloudWatchLogsPolicy() {
        template()
                .hasResourceProperties(
                        "AWS::IAM::Role",
                        Match.objectLike(
                                Map.of(
                                        "AssumeRolePolicyDocument",
                                                Match.objectLike(Map.of(
                                                        "Statement",
                                                        List.of(Map.of(
                                                                "Action",
                                                                "sts:AssumeRole",
                                                                "Effect",
                                                                "Allow",
                                                                "Principal",
                                                                Map.of("Service", "apigateway.amazonaws.com"))))),
                                        "ManagedPolicyArns",
                                                List.of(
                                                        Map.of(
                                                                "Fn::Join",
                                                                List.of(
                                                                        "",
                                                                        List.of(
                                                                                "arn:",
                                                                                Map.of("Ref", "AWS::Partition"),
                                                                                ":iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")))))));
    }

    @Test
    void noStatement_anywhere_grantsAWildcardAction() {
        for (Map<String, Object> p :
                template().findResources("AWS::IAM::Policy").values()) {
            for (JsonNode s : JSON.valueToTree(p)
                    .path("Properties")
                    .path("PolicyDocument")
                    .path("Statement")) {
                List<String> actions = new ArrayList<>();
                if (s.path("Action").isArray()) s.path("Action").forEach(a -> actions.add(a.asString()));
                else actions.add(s.path("Action").asString());
                assertThat(actions).allSatisfy(a -> assertThat(a).doesNotContain("*"));
                assertThat(s.path("Resource").isString() ? s.path("Resource").asString() : "")
                        .isNotEqualTo("*");
            }
        }
    }
}
