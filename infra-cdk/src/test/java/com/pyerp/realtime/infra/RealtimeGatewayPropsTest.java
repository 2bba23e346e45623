package com.pyerp.realtime.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.events.EventCatalog;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;

@Timeout(120)
class RealtimeGatewayPropsTest {

    private static RealtimeGatewayProps.Builder valid() {
        return RealtimeGatewayProps.builder()
                .jwtIssuer("https://id.example.com/")
                .jwtAudience("pyerp")
                .jwksUrl("https://id.example.com/jwks");
    }

    @Test
    void build_shouldApplyDefaults() {
        RealtimeGatewayProps p = valid().build();
        assertThat(p.stageName()).isEqualTo("live");
        assertThat(p.eventBusName()).isEqualTo(EventCatalog.load().bus());
        assertThat(p.schemaRegistryName()).isEqualTo("erp-events-schemas");
        assertThat(p.tableRemovalPolicy()).isEqualTo(RemovalPolicy.DESTROY);
        assertThat(p.memoryMb(GatewayFunction.DISPATCHER)).isEqualTo(1769);
        assertThat(p.memoryMb(GatewayFunction.DISCONNECT)).isEqualTo(512);
        assertThat(p.javaToolOptions()).contains("TieredStopAtLevel=1");
        assertThat(p.dispatchMaxEventAge().toSeconds().intValue()).isEqualTo(600);
        assertThat(p.apiGatewayCloudWatchRole()).isTrue();
        assertThat(p.alarmTopic()).isEmpty();
    }

    @Test
    void build_shouldNameEveryProblemAtOnce() {
        assertThatThrownBy(() -> RealtimeGatewayProps.builder()
                        .stageName("bad stage")
                        .jwksUrl("ftp://x")
                        .allowedOrigins(List.of("https://erp.example.com/", "erp.example.com"))
                        .functionEnvironment(RealtimeEnv.Var.CONNECTIONS_TABLE, "t")
                        .connectionsTableName("x")
                        .eventBusName("default")
                        .memoryMb(GatewayFunction.COMMAND, 64)
                        .dispatchMaxEventAge(Duration.hours(25))
                        .eventBridgeRetryAttempts(186)
                        .throttle(0, 0)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stageName must be")
                .hasMessageContaining("jwtIssuer is required")
                .hasMessageContaining("jwtAudience is required")
                .hasMessageContaining("jwksUrl must be an http(s) URL")
                .hasMessageContaining("'https://erp.example.com/' is not an origin")
                .hasMessageContaining("'erp.example.com' is not an origin")
                .hasMessageContaining("CONNECTIONS_TABLE is set by the construct itself")
                .hasMessageContaining("connectionsTableName 'x'")
                .hasMessageContaining("default bus")
                .hasMessageContaining("memoryMb(COMMAND) must be 128-10240 MB")
                .hasMessageContaining("dispatchMaxEventAge must be 60 s - 24 h, got 90000 s")
                .hasMessageContaining("eventBridgeRetryAttempts must be 0-185")
                .hasMessageContaining("throttle: rate and burst must be positive");
    }

    @Test
    void build_shouldRejectAwsRegion_whichLambdaReserves() {
        assertThatThrownBy(() -> valid().functionEnvironment(RealtimeEnv.Var.AWS_REGION, "eu-west-1")
                        .build())
                .hasMessageContaining("AWS_REGION is set by the construct itself (or reserved by Lambda)");
    }

    @Test
    void defaultLambdaJar_isThisBuildsShadedJar_inThisRepository() {
        // build.properties is filtered with this build's version: the name of the jar functions/lambda shades
        String rel = RealtimeGatewayProps.lambdaJarRelativePath();
        assertThat(rel).matches("functions/lambda/target/realtime-functions-\\d[^$/{}]*-lambda\\.jar");
        Path jar = RealtimeGatewayProps.defaultLambdaJar();
        // tests run in infra-cdk/: the repository root is its parent
        assertThat(jar).isEqualTo(Path.of("..").toAbsolutePath().normalize().resolve(rel));
    }
}
