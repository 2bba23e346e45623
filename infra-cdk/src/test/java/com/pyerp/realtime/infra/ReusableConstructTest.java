package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.DispatchBuffer;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;

/** Another app's own stack instantiates the construct with its own props: everything follows them. */
// Annotations.find* return cxapi.SynthesisMessage, deprecated in favour of a type the assertions API does not return
// yet
@SuppressWarnings("deprecation")
@Timeout(300)
class ReusableConstructTest {
    private static Stack stack;
    private static RealtimeGateway gateway;
    private static Topic topic;
    private static Template template;
    private static Annotations annotations;

    @BeforeAll
    static void synth() {
        App app = new App();
        stack = new Stack(app, "OtherApp");
        topic = Topic.Builder.create(stack, "OpsTopic").enforceSsl(true).build();
        gateway = new RealtimeGateway(
                stack,
                "Realtime",
                RealtimeGatewayProps.builder()
                        .stageName("v2")
                        .jwtIssuer("https://login.acme.test/")
                        .jwtAudience("acme-erp")
                        .jwksUrl("https://login.acme.test/keys")
                        .functionEnvironment(RealtimeEnv.Var.JWT_ALGORITHMS, "ES256")
                        .connectionsTableName("acme-connections")
                        .subscriptionsTableName("acme-subscriptions")
                        .tableRemovalPolicy(RemovalPolicy.RETAIN)
                        .eventBusName("acme-erp-events")
                        .memoryMb(GatewayFunction.DISPATCHER, 3008)
                        .logRetention(RetentionDays.ONE_WEEK)
                        .throttle(50, 100)
                        .dispatchMaxEventAge(Duration.hours(1))
                        .eventBridgeRetryAttempts(20)
                        .alarmTopic(topic)
                        .apiGatewayCloudWatchRole(false)
                        .lambdaJar(Synth.TEMPLATE_TEST_JAR)
                        .build());
        Aspects.of(app).add(new AwsSolutionsChecks());
        template = Template.fromStack(stack);
        annotations = Annotations.fromStack(stack);
    }

    @Test
    void tables_carryTheGivenNames_andAreRetained() {
        for (String name : List.of("acme-connections", "acme-subscriptions")) {
            template.hasResource(
                    "AWS::DynamoDB::Table",
                    Match.objectLike(Map.of(
                            "DeletionPolicy",
                            "Retain",
                            "UpdateReplacePolicy",
                            "Retain",
                            "Properties",
                            Match.objectLike(Map.of("TableName", name)))));
        }
    }

    @Test
    void stageBusMemoryRetriesAndLogs_followTheProps() {
        template.hasResourceProperties(
                "AWS::ApiGatewayV2::Stage",
                Match.objectLike(Map.of(
                        "StageName",
                        "v2",
                        "DefaultRouteSettings",
                        Map.of("ThrottlingRateLimit", 50, "ThrottlingBurstLimit", 100))));
        template.hasResourceProperties("AWS::Events::EventBus", Match.objectLike(Map.of("Name", "acme-erp-events")));
        template.hasResourceProperties(
                "AWS::EventSchemas::Registry", Match.objectLike(Map.of("RegistryName", "acme-erp-events-schemas")));
        template.hasResourceProperties(
                "AWS::Lambda::Function",
                Match.objectLike(Map.of(
                        "Handler",
                        GatewayFunction.DISPATCHER.handler(),
                        "MemorySize",
                        3008,
                        "Environment",
                        Map.of(
                                "Variables",
                                Match.objectLike(Map.of(
                                        "JWT_ALGORITHMS",
                                        "ES256",
                                        "JWT_ISSUER",
                                        "https://login.acme.test/",
                                        "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI",
                                        Match.objectLike(
                                                Map.of("Fn::Join", List.of("", Match.arrayWith(List.of("/v2")))))))))));
        template.hasResourceProperties(
                "AWS::Events::Rule",
                Match.objectLike(Map.of(
                        "Targets",
                        List.of(Match.objectLike(Map.of(
                                "RetryPolicy",
                                Map.of("MaximumEventAgeInSeconds", 3600, "MaximumRetryAttempts", 20)))))));
        // the dispatcher's timeout, not its memory, sets the buffer's visibility timeout; the batching contract is
        // fixed
        template.hasResourceProperties(
                "AWS::SQS::Queue",
                Match.objectLike(Map.of(
                        "VisibilityTimeout",
                        6 * GatewayFunction.DISPATCHER.timeout().toSeconds().intValue()
                                + (int) DispatchBuffer.BATCHING_WINDOW.toSeconds(),
                        "RedrivePolicy",
                        Match.objectLike(Map.of("maxReceiveCount", DispatchBuffer.MAX_RECEIVE_COUNT)))));
        template.hasResourceProperties(
                "AWS::Lambda::EventSourceMapping",
                Match.objectLike(Map.of(
                        "BatchSize",
                        DispatchBuffer.BATCH_SIZE,
                        "MaximumBatchingWindowInSeconds",
                        (int) DispatchBuffer.BATCHING_WINDOW.toSeconds(),
                        "FunctionResponseTypes",
                        List.of("ReportBatchItemFailures"))));
        template.resourceCountIs("AWS::Lambda::EventInvokeConfig", 0);
        // every log group but the audit log (its own retention, a year by default)
        String audit = Synth.logicalId(gateway.auditTrail().logGroup());
        Map<String, Map<String, Object>> groups = template.findResources("AWS::Logs::LogGroup");
        assertThat(groups).containsKey(audit);
        groups.forEach((id, g) -> {
            if (!id.equals(audit))
                assertThat(JSON.valueToTree(g)
                                .path("Properties")
                                .path("RetentionInDays")
                                .asInt())
                        .as(id)
                        .isEqualTo(7);
        });
    }

    @Test
    void manageConnections_isScopedToTheGivenStage() {
        String policy = JSON.valueToTree(template.toJSON())
                .path("Resources")
                .path(Synth.logicalId(gateway.function(GatewayFunction.DISPATCHER)
                        .role()
                        .getNode()
                        .findChild("DefaultPolicy")))
                .toString();
        assertThat(policy).contains("/v2/POST/@connections/*").doesNotContain("/live/");
    }

    @Test
    void alarms_notifyTheGivenTopic_andNoAccountLoggingRoleIsCreated() {
        template.allResourcesProperties(
                "AWS::CloudWatch::Alarm",
                Match.objectLike(Map.of("AlarmActions", List.of(Map.of("Ref", Synth.logicalId(topic))))));
        template.resourceCountIs("AWS::ApiGateway::Account", 0);
        template.resourceCountIs("AWS::SNS::Topic", 1);
    }

    @Test
    void awsSolutions_passesWithTheseProps_too() {
        var errors = annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
        assertThat(errors)
                .as(() -> errors.stream()
                        .map(m -> m.getId() + ": " + m.getEntry().getData())
                        .toList()
                        .toString())
                .isEmpty();
    }

    @Test
    void construct_shouldTellHowToBuildTheJar_whenItIsMissing() {
        Stack s = new Stack(new App(), "NoJar");
        Path missing = Path.of("target/does-not-exist/realtime-functions-lambda.jar");
        assertThatThrownBy(() -> new RealtimeGateway(
                        s,
                        "Realtime",
                        RealtimeGatewayProps.builder()
                                .jwtIssuer("https://i/")
                                .jwtAudience("a")
                                .jwksUrl("https://i/jwks")
                                .lambdaJar(missing)
                                .build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Lambda deployment jar not found")
                .hasMessageContaining(missing.toAbsolutePath().normalize().toString())
                .hasMessageContaining("mvn -pl functions/lambda -am package");
    }
}
