package com.pyerp.realtime.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.core.config.RealtimeEnv;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Token;

@Timeout(120)
class FunctionEnvironmentTest {
    private static final String TOKEN_TABLE = Token.asString(Lazy.string(() -> "connections-table"));
    private static final String TOKEN_SUBS = Token.asString(Lazy.string(() -> "subscriptions-table"));
    private static final String TOKEN_HISTORY = Token.asString(Lazy.string(() -> "history-table"));
    private static final String TOKEN_ENDPOINT =
            "https://" + Token.asString(Lazy.string(() -> "abc123")) + ".execute-api.eu-central-1.amazonaws.com/live";

    private static RealtimeGatewayProps.Builder props() {
        return RealtimeGatewayProps.builder()
                .jwtIssuer("https://id.example.com/")
                .jwtAudience("pyerp")
                .jwksUrl("https://id.example.com/jwks");
    }

    @Test
    void of_shouldSetEveryRequiredVariable_fromTheContract_andNotAwsRegion() {
        Map<String, String> env = FunctionEnvironment.of(
                props().allowedOrigins(List.of("https://a.example.com", "https://b.example.com"))
                        .functionEnvironment(RealtimeEnv.Var.CONNECTION_TTL_SECONDS, "3600")
                        .build(),
                TOKEN_TABLE,
                TOKEN_SUBS,
                TOKEN_HISTORY,
                TOKEN_ENDPOINT);
        for (RealtimeEnv.Var v : RealtimeEnv.Var.values()) {
            if (v.required() && v != RealtimeEnv.Var.AWS_REGION) assertThat(env).containsKey(v.name());
        }
        assertThat(env).doesNotContainKeys("AWS_REGION", "AWS_ENDPOINT_URL_DYNAMODB");
        assertThat(env)
                .containsEntry("ALLOWED_ORIGINS", "https://a.example.com,https://b.example.com")
                .containsEntry("CONNECTION_TTL_SECONDS", "3600")
                .containsEntry("CONNECTIONS_TABLE", TOKEN_TABLE)
                .containsEntry("HISTORY_TABLE", TOKEN_HISTORY)
                .containsEntry("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", TOKEN_ENDPOINT);
        assertThat(Token.isUnresolved(env.get("CONNECTIONS_TABLE"))).isTrue();
    }

    @Test
    void of_shouldRejectValuesThatBreakTheContract_withRealtimeEnvsOwnMessage() {
        assertThatThrownBy(() -> FunctionEnvironment.of(
                        props().functionEnvironment(RealtimeEnv.Var.JWT_ALGORITHMS, "HS256")
                                .build(),
                        TOKEN_TABLE,
                        TOKEN_SUBS,
                        TOKEN_HISTORY,
                        TOKEN_ENDPOINT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("breaks the RealtimeEnv contract")
                .hasMessageContaining("JWT_ALGORITHMS: HS256 is not permitted");
        assertThatThrownBy(() -> FunctionEnvironment.of(
                        props().functionEnvironment(RealtimeEnv.Var.DISPATCH_CONCURRENCY, "lots")
                                .build(),
                        TOKEN_TABLE,
                        TOKEN_SUBS,
                        TOKEN_HISTORY,
                        TOKEN_ENDPOINT))
                .hasMessageContaining("DISPATCH_CONCURRENCY must be a whole number");
    }

    @Test
    void check_shouldNameARequiredVariableTheGatewayForgot() {
        Map<String, String> env = new LinkedHashMap<>(
                FunctionEnvironment.of(props().build(), TOKEN_TABLE, TOKEN_SUBS, TOKEN_HISTORY, TOKEN_ENDPOINT));
        env.remove("SUBSCRIPTIONS_TABLE");
        assertThatThrownBy(() -> FunctionEnvironment.check(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SUBSCRIPTIONS_TABLE");
        env.put("SUBSCRIPTIONS_TABLE", TOKEN_SUBS);
        env.put("AWS_REGION", "eu-central-1");
        assertThatThrownBy(() -> FunctionEnvironment.check(env))
                .hasMessageContaining("AWS_REGION is reserved by Lambda");
    }
}
