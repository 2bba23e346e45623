package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.JSON;
import static com.pyerp.realtime.infra.Synth.gateway;
import static com.pyerp.realtime.infra.Synth.logicalId;
import static com.pyerp.realtime.infra.Synth.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.session.SessionGuard;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import tools.jackson.databind.JsonNode;

/** Issue 10 in the stack: the session function's triggers, $connect route throttling, the audit metric and alarm. */
class SessionSecurityTemplateTest {

    @Test
    void sessionFunction_runsOnTheSweepSchedule_andOnTheErpsSessionsRevokedEvent() {
        String alias = logicalId(gateway().function(GatewayFunction.SESSION).alias());
        JsonNode sweep = Synth.json(template())
                .path("Resources")
                .path(logicalId(gateway().sessionSweepRule()))
                .path("Properties");
        assertThat(sweep.path("ScheduleExpression").asString()).isEqualTo("rate(1 minute)");
        assertThat(sweep.path("Targets").path(0).path("Arn").path("Ref").asString())
                .isEqualTo(alias);

        JsonNode revoked = Synth.json(template())
                .path("Resources")
                .path(logicalId(gateway().sessionsRevokedRule()))
                .path("Properties");
        assertThat(revoked.path("EventPattern")).isEqualTo(JSON.readTree(SessionGuard.REVOKED_RULE_PATTERN));
        assertThat(revoked.path("EventBusName"))
                .isEqualTo(Synth.tree(Synth.ref(gateway().events().bus())));
        assertThat(revoked.path("Targets").path(0).path("Arn").path("Ref").asString())
                .isEqualTo(alias);
    }

    @Test
    void connectRoute_hasItsOwnThrottle_belowTheStages() {
        JsonNode stage = Synth.json(template())
                .path("Resources")
                .path(logicalId(gateway().stage()))
                .path("Properties");
        assertThat(stage.path("DefaultRouteSettings")
                        .path("ThrottlingRateLimit")
                        .asDouble())
                .isEqualTo(RealtimeGatewayProps.DEFAULT_THROTTLE_RATE);
        JsonNode connect = stage.path("RouteSettings").path("$connect");
        assertThat(connect.path("ThrottlingRateLimit").asDouble())
                .isEqualTo(RealtimeGatewayProps.DEFAULT_CONNECT_THROTTLE_RATE);
        assertThat(connect.path("ThrottlingBurstLimit").asInt())
                .isEqualTo(RealtimeGatewayProps.DEFAULT_CONNECT_THROTTLE_BURST);
        assertThat(RealtimeGatewayProps.DEFAULT_CONNECT_THROTTLE_RATE)
                .isLessThan(RealtimeGatewayProps.DEFAULT_THROTTLE_RATE);
    }

    @Test
    void auditLines_ofEveryFunction_goToTheirOwnLogGroup_withRetention_aMetricFilterAndAnAlarm() {
        JsonNode resources = Synth.json(template()).path("Resources");
        String auditGroup = logicalId(gateway().auditTrail().logGroup());
        assertThat(resources
                        .path(auditGroup)
                        .path("Properties")
                        .path("RetentionInDays")
                        .asInt())
                .isEqualTo(365);
        assertThat(resources.path(auditGroup).path("DeletionPolicy").asString()).isEqualTo("Retain");
        String forwarder = logicalId(gateway().auditTrail().forwarder());
        for (GatewayFunction f : GatewayFunction.values()) {
            template()
                    .hasResourceProperties(
                            "AWS::Logs::SubscriptionFilter",
                            Match.objectLike(Map.of(
                                    "LogGroupName",
                                            Map.of(
                                                    "Ref",
                                                    logicalId(gateway()
                                                            .function(f)
                                                            .logGroup())),
                                    "FilterPattern", AuditTrail.AUDIT_LINES_PATTERN,
                                    "DestinationArn", Map.of("Fn::GetAtt", List.of(forwarder, "Arn")))));
        }
        JsonNode forwarderProps = resources.path(forwarder).path("Properties");
        assertThat(forwarderProps.path("Environment").path("Variables").path("AUDIT_LOG_GROUP"))
                .isEqualTo(Synth.tree(Map.of("Ref", auditGroup)));
        assertThat(forwarderProps.path("Code").path("ZipFile").asString()).contains("PutLogEventsCommand");
        template()
                .hasResourceProperties(
                        "AWS::Logs::MetricFilter",
                        Match.objectLike(Map.of(
                                "LogGroupName",
                                Map.of("Ref", auditGroup),
                                "FilterPattern",
                                RealtimeGateway.AUDIT_REFUSALS_PATTERN,
                                "MetricTransformations",
                                List.of(Match.objectLike(Map.of(
                                        "MetricNamespace", "PyerpRealtime",
                                        "MetricName", RealtimeGateway.AUDIT_REFUSALS_METRIC,
                                        "MetricValue", "1"))))));
        assertThat(RealtimeGateway.AUDIT_REFUSALS_PATTERN)
                .contains("\"AuditLog\"")
                .contains("\"refused\"");
        template()
                .hasResourceProperties(
                        "AWS::CloudWatch::Alarm",
                        Match.objectLike(Map.of(
                                "Namespace",
                                "PyerpRealtime",
                                "MetricName",
                                RealtimeGateway.AUDIT_REFUSALS_METRIC,
                                "Statistic",
                                "Sum",
                                "Period",
                                300,
                                "Threshold",
                                RealtimeGatewayProps.DEFAULT_AUDIT_REFUSALS_THRESHOLD,
                                "ComparisonOperator",
                                "GreaterThanOrEqualToThreshold")));
    }

    @Test
    void sessionFunction_getsTheSameEnvironmentContractAsTheCommandFunction() {
        JsonNode resources = Synth.json(template()).path("Resources");
        JsonNode session = resources
                .path(logicalId(gateway().function(GatewayFunction.SESSION).function()))
                .path("Properties")
                .path("Environment")
                .path("Variables");
        JsonNode command = resources
                .path(logicalId(gateway().function(GatewayFunction.COMMAND).function()))
                .path("Properties")
                .path("Environment")
                .path("Variables");
        assertThat(session).isEqualTo(command);
        assertThat(session.has("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI")).isTrue();
    }

    @Test
    void props_refuseAPlainHttpJwks_unlessLoopbackOrExplicitlyAllowed_andCarryTheLimits() {
        assertThatThrownBy(() -> RealtimeGatewayProps.builder()
                        .jwtIssuer("https://idp.example.com")
                        .jwtAudience("pyerp")
                        .jwksUrl("http://idp.example.com/jwks")
                        .lambdaJar(Synth.TEMPLATE_TEST_JAR)
                        .build())
                .hasMessageContaining("jwksUrl must be https");
        RealtimeGatewayProps ok = RealtimeGatewayProps.builder()
                .jwtIssuer("https://idp.example.com")
                .jwtAudience("pyerp")
                .jwksUrl("http://host.docker.internal:8080/jwks")
                .functionEnvironment(com.pyerp.realtime.core.config.RealtimeEnv.Var.JWT_JWKS_ALLOW_HTTP, "true")
                .rateLimit(5, 10, 4)
                .maxConnectionsPerUser(3)
                .maxTokenAgeSeconds(3600)
                .connectThrottle(50, 100)
                .lambdaJar(Synth.TEMPLATE_TEST_JAR)
                .build();
        assertThat(ok.functionEnvironment())
                .containsEntry(com.pyerp.realtime.core.config.RealtimeEnv.Var.RATE_LIMIT_PER_SECOND, "5")
                .containsEntry(com.pyerp.realtime.core.config.RealtimeEnv.Var.MAX_CONNECTIONS_PER_USER, "3")
                .containsEntry(com.pyerp.realtime.core.config.RealtimeEnv.Var.JWT_MAX_TOKEN_AGE_SECONDS, "3600");
        assertThat(ok.connectThrottleRateLimit()).isEqualTo(50);
    }
}
