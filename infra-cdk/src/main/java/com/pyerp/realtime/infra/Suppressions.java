package com.pyerp.realtime.infra;

import com.pyerp.realtime.core.protocol.ApiRoutes;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.List;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.services.apigatewayv2.WebSocketRoute;
import software.constructs.IConstruct;

/**
 * Every cdk-nag (AwsSolutions) finding the gateway accepts, each on the one resource it concerns, each with the reason.
 * They live with the construct, so an app that instantiates {@link RealtimeGateway} and runs cdk-nag inherits them.
 * Anything not listed here fails {@code cdk synth} and the tests.
 */
final class Suppressions {
    private Suppressions() {}

    static void apply(RealtimeGateway gw) {
        for (IConstruct c : gw.api().getNode().getChildren()) {
            if (c instanceof WebSocketRoute r && !ApiRoutes.CONNECT.equals(r.getRouteKey())) {
                suppress(
                        r,
                        "AwsSolutions-APIG4",
                        "API Gateway WebSocket APIs accept an authorizer on $connect only; route "
                                + r.getRouteKey()
                                + " runs on a connection the JWT authorizer already admitted, and the handler authorizes"
                                + " every command again from the authorizer context (channel permissions from the token's claims)");
            }
        }
        for (HandlerFunction f : gw.functions().values()) {
            suppress(
                    f.function(),
                    "AwsSolutions-L1",
                    "java21 is deliberate: it is the Java runtime the functions are built and"
                            + " tested for (compiled with --release 17) and SnapStart is proven on it; moving to java25 is a separate,"
                            + " tested change of GatewayFunction/HandlerFunction");
            // SnapStart is used through published versions only: every route, the authorizer and the event source
            // mapping invoke the alias
            Annotations.of(f.function())
                    .acknowledgeWarning(
                            "@aws-cdk/aws-lambda:snapStartRequirePublish",
                            "the function is only invoked through its alias on the current published version");
        }
        suppress(
                gw.events().deliveryDlq(),
                "AwsSolutions-SQS3",
                "this queue is itself the dead-letter queue of the EventBridge"
                        + " rule targets; nothing consumes it automatically, so it needs no DLQ of its own (alarm DeliveryDlqNotEmpty)");
        suppress(
                gw.events().dispatchDlq(),
                "AwsSolutions-SQS3",
                "this queue is itself the dead-letter queue of the dispatch"
                        + " buffer (redrive after " + com.pyerp.realtime.core.dispatch.DispatchBuffer.MAX_RECEIVE_COUNT
                        + " receives); nothing"
                        + " consumes it automatically, so it needs no DLQ of its own (alarm DispatchDlqNotEmpty)");

        IConstruct cwRole = gw.getNode().tryFindChild("ApiGatewayCloudWatchRole");
        if (cwRole != null) {
            NagSuppressions.addResourceSuppressions(
                    cwRole,
                    List.of(NagPackSuppression.builder()
                            .id("AwsSolutions-IAM4")
                            .reason(
                                    "AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for the account-level API Gateway"
                                            + " logging role; API Gateway creates the log groups of every stage of the region with it, so it"
                                            + " cannot be scoped to this stack's log groups")
                            .appliesTo(
                                    List.of(
                                            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"))
                            .build()),
                    true);
        }

        String stage = gw.props().stageName(); // [A-Za-z0-9_-] only (validated): no regex metacharacter
        // the dispatcher posts events; the disconnect function posts presence leaves (the command function's
        // POST and DELETE are covered below)
        for (GatewayFunction poster : List.of(GatewayFunction.DISPATCHER, GatewayFunction.DISCONNECT))
            NagSuppressions.addResourceSuppressions(
                    gw.function(poster).role(),
                    List.of(NagPackSuppression.builder()
                            .id("AwsSolutions-IAM5")
                            .reason(
                                    "connection ids are only known at run time: ManageConnections is scoped to POST on this API's"
                                            + " @connections path of this stage only (arn:...:{apiId}/"
                                            + gw.props().stageName() + "/POST/@connections/*)")
                            .appliesTo(List.of(RegexAppliesTo.builder()
                                    .regex(
                                            "/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):execute-api:(<AWS::Region>|[a-z0-9-]+)"
                                                    + ":(<AWS::AccountId>|[0-9]{12}):<[A-Za-z0-9]+>\\/" + stage
                                                    + "\\/POST\\/@connections\\/\\*$/")
                                    .build()))
                            .build()),
                    true);
        applySessionClosers(gw);
    }

    /** The command and session functions close connections (expired token, revocation, abuse): POST then DELETE. */
    static void applySessionClosers(RealtimeGateway gw) {
        String stage = gw.props().stageName();
        for (GatewayFunction f : List.of(GatewayFunction.COMMAND, GatewayFunction.SESSION)) {
            NagSuppressions.addResourceSuppressions(
                    gw.function(f).role(),
                    List.of(NagPackSuppression.builder()
                            .id("AwsSolutions-IAM5")
                            .reason("connection ids are only known at run time: closing a session (expired token,"
                                    + " revocation, rate-limit abuse) posts a last frame and deletes the connection,"
                                    + " scoped to POST and DELETE on this API's @connections path of this stage only")
                            .appliesTo(List.of(RegexAppliesTo.builder()
                                    .regex("/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):execute-api:"
                                            + "(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12}):<[A-Za-z0-9]+>\\/"
                                            + stage + "\\/(POST|DELETE)\\/@connections\\/\\*$/")
                                    .build()))
                            .build()),
                    true);
        }
    }

    private static void suppress(IConstruct c, String id, String reason) {
        NagSuppressions.addResourceSuppressions(
                c, List.of(NagPackSuppression.builder().id(id).reason(reason).build()), true);
    }
}
