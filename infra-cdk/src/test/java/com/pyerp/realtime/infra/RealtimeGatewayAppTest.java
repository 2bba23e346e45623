package com.pyerp.realtime.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.RemovalPolicy;

@Timeout(120)
class RealtimeGatewayAppTest {

    @Test
    void cdkJson_providesEveryRequiredContextKey_andOnlyKnownOnes() throws Exception {
        Map<String, Object> ctx = RealtimeGatewayApp.cdkJsonContext(Path.of("cdk.json"));
        assertThat(ctx).containsKeys("jwtIssuer", "jwtAudience", "jwksUrl");
        for (String k : ctx.keySet()) {
            if (k.matches("[a-z][A-Za-z0-9]*"))
                assertThat(RealtimeGatewayApp.CONTEXT_KEYS).containsKey(k);
        }
    }

    @Test
    void stack_shouldRejectAMisspeltContextKey() {
        Map<String, Object> ctx =
                new LinkedHashMap<>(Map.of("jwtIssure", "https://i/", "jwtAudience", "a", "jwksUrl", "https://i/j"));
        assertThatThrownBy(() -> RealtimeGatewayApp.stack(
                        new App(AppProps.builder().context(ctx).build())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown context key 'jwtIssure'");
    }

    @Test
    void stack_shouldNameAMissingRequiredContextKey() {
        Map<String, Object> ctx = Map.of("jwtAudience", "a", "jwksUrl", "https://i/j");
        assertThatThrownBy(() -> RealtimeGatewayApp.stack(
                        new App(AppProps.builder().context(ctx).build())))
                .hasMessageContaining("context 'jwtIssuer' is required")
                .hasMessageContaining("-c jwtIssuer=");
    }

    @Test
    void contextValues_areParsedWithClearErrors() {
        assertThat(RealtimeGatewayApp.removalPolicy("Retain")).isEqualTo(RemovalPolicy.RETAIN);
        assertThatThrownBy(() -> RealtimeGatewayApp.removalPolicy("keep"))
                .hasMessageContaining("destroy, retain or snapshot");
        assertThatThrownBy(() -> RealtimeGatewayApp.retention("10")).hasMessageContaining("one of 1, 3, 5, 7");
    }
}
