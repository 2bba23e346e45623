package com.pyerp.realtime.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RealtimeEnvTest {

    /** The required variables, nothing else: what a minimal deployment sets. */
    private static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("CONNECTIONS_TABLE", "realtime-connections");
        env.put("SUBSCRIPTIONS_TABLE", "realtime-subscriptions");
        env.put("JWT_ISSUER", "https://idp.pyerp.example/realms/erp");
        env.put("JWT_AUDIENCE", "pyerp-realtime");
        env.put("JWT_JWKS_URL", "https://idp.pyerp.example/realms/erp/protocol/openid-connect/certs");
        env.put(
                "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI",
                "https://abc123.execute-api.eu-central-1.amazonaws.com/prod");
        return env;
    }

    private static Map<String, String> with(String var, String value) {
        Map<String, String> env = minimal();
        env.put(var, value);
        return env;
    }

    @Test
    void from_shouldNameEveryMissingRequiredVariable_inOneMessage() {
        List<String> required = Arrays.stream(RealtimeEnv.Var.values())
                .filter(RealtimeEnv.Var::required)
                .map(Enum::name)
                .toList();

        assertThat(required)
                .containsExactlyInAnyOrder(
                        "CONNECTIONS_TABLE",
                        "SUBSCRIPTIONS_TABLE",
                        "JWT_ISSUER",
                        "JWT_AUDIENCE",
                        "JWT_JWKS_URL",
                        "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI");
        assertThatThrownBy(() -> RealtimeEnv.from(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid function environment: ")
                .satisfies(e -> assertThat(e.getMessage()).contains(required));
    }

    @Test
    void from_shouldTreatABlankValueAsMissing() {
        assertThatThrownBy(() -> RealtimeEnv.from(with("JWT_AUDIENCE", "  ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JWT_AUDIENCE is not set");
    }

    @Test
    void from_shouldNameMissingAndInvalidVariablesTogether() {
        Map<String, String> env = with("DISPATCH_CONCURRENCY", "lots");
        env.remove("CONNECTIONS_TABLE");

        assertThatThrownBy(() -> RealtimeEnv.from(env))
                .hasMessageContaining("CONNECTIONS_TABLE is not set")
                .hasMessageContaining("DISPATCH_CONCURRENCY must be a whole number");
    }

    @Test
    void from_shouldApplyTheDocumentedDefaults() {
        RealtimeEnv env = RealtimeEnv.from(minimal());

        assertThat(env.jwtAlgorithms()).containsExactly("RS256", "ES256");
        assertThat(env.jwtTyp()).isEmpty();
        assertThat(env.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(env.allowedOrigins()).isEmpty();
        assertThat(env.connectionTtl()).isEqualTo(Duration.ofSeconds(7500));
        assertThat(env.maxSubscriptionsPerConnection()).isEqualTo(100);
        assertThat(env.dispatchConcurrency()).isEqualTo(256);
        assertThat(env.dedupWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(env.dynamoDbEndpoint()).isEmpty();
        assertThat(env.region()).isEqualTo("eu-central-1");
        for (RealtimeEnv.Var v : RealtimeEnv.Var.values()) {
            assertThat(v.defaultValue().isPresent())
                    .as("%s has a default exactly when optional", v)
                    .isEqualTo(!v.required());
            assertThat(v.description()).isNotBlank();
        }
    }

    @Test
    void from_shouldReadEveryValue_trimmed() {
        Map<String, String> raw = minimal();
        raw.put("JWT_ALGORITHMS", " ES256 , PS256 ");
        raw.put("JWT_TYP", "at+jwt");
        raw.put("ALLOWED_ORIGINS", "https://erp.pyerp.example, http://localhost:5173");
        raw.put("JWT_CLOCK_SKEW_SECONDS", "0");
        raw.put("DISPATCH_CONCURRENCY", " 8 ");
        raw.put("AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:4567");
        raw.put("AWS_REGION", "us-east-1");

        RealtimeEnv env = RealtimeEnv.from(raw);

        assertThat(env.jwtAlgorithms()).containsExactly("ES256", "PS256");
        assertThat(env.jwtTyp()).contains("at+jwt");
        assertThat(env.allowedOrigins()).containsExactly("https://erp.pyerp.example", "http://localhost:5173");
        assertThat(env.clockSkew()).isZero();
        assertThat(env.dispatchConcurrency()).isEqualTo(8);
        assertThat(env.dynamoDbEndpoint()).contains(URI.create("http://localhost:4567"));
        assertThat(env.region()).isEqualTo("us-east-1");
        assertThat(env.connectionsTable()).isEqualTo("realtime-connections");
        assertThat(env.subscriptionsTable()).isEqualTo("realtime-subscriptions");
        assertThat(env.jwtIssuer()).isEqualTo("https://idp.pyerp.example/realms/erp");
        assertThat(env.jwtAudience()).isEqualTo("pyerp-realtime");
        assertThat(env.jwksUrl())
                .isEqualTo(URI.create("https://idp.pyerp.example/realms/erp/protocol/openid-connect/certs"));
        assertThat(env.managementEndpoint().getHost()).isEqualTo("abc123.execute-api.eu-central-1.amazonaws.com");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "DISPATCH_CONCURRENCY=abc",
                "DISPATCH_CONCURRENCY=0",
                "DISPATCH_CONCURRENCY=-4",
                "DISPATCH_CONCURRENCY=1.5",
                "MAX_SUBSCRIPTIONS_PER_CONNECTION=3000000000",
                "CONNECTION_TTL_SECONDS=2h",
                "DEDUP_WINDOW_SECONDS=0",
                "JWT_CLOCK_SKEW_SECONDS=-1",
                "FANOUT_PAGE_SIZE=0",
                "FANOUT_PAGE_SIZE=many",
                "FANOUT_QUEUE_URL=sqs:queue"
            })
    void from_shouldRefuseBadNumbers_namingTheVariable(String assignment) {
        String[] kv = assignment.split("=");

        assertThatThrownBy(() -> RealtimeEnv.from(with(kv[0], kv[1])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(kv[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "RS256,HS256", "none", "HS512", ","})
    void from_shouldRefuseSymmetricNoneOrNoAlgorithm(String algorithms) {
        assertThatThrownBy(() -> RealtimeEnv.from(with("JWT_ALGORITHMS", algorithms)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JWT_ALGORITHMS");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "JWT_JWKS_URL=ftp://idp/jwks",
                "JWT_JWKS_URL=not a url",
                "JWT_JWKS_URL=/relative/jwks",
                "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI=localhost:3001",
                "AWS_ENDPOINT_URL_DYNAMODB=dynamo"
            })
    void from_shouldRefuseUrlsThatAreNotHttp(String assignment) {
        String[] kv = assignment.split("=", 2);

        assertThatThrownBy(() -> RealtimeEnv.from(with(kv[0], kv[1])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(kv[0] + " must be an http(s) URL");
    }

    @Test
    void toMap_shouldRoundTrip_withTheDefaultsIncluded() {
        RealtimeEnv env = RealtimeEnv.from(with("DISPATCH_CONCURRENCY", "16"));

        Map<String, String> map = env.toMap();

        assertThat(map)
                .containsOnlyKeys(
                        Arrays.stream(RealtimeEnv.Var.values()).map(Enum::name).toList());
        assertThat(map).containsEntry("DISPATCH_CONCURRENCY", "16").containsEntry("JWT_ALGORITHMS", "RS256,ES256");
        assertThat(RealtimeEnv.from(map).toMap()).isEqualTo(map);
    }

    @Test
    void builder_shouldBuildAValidatedEnvironment() {
        RealtimeEnv env = RealtimeEnv.builder()
                .connectionsTable("c")
                .subscriptionsTable("s")
                .jwtIssuer("https://idp")
                .jwtAudience("aud")
                .jwksUrl("http://localhost:3001/jwks")
                .jwtAlgorithms("ES256")
                .jwtTyp("at+jwt")
                .allowedOrigins(List.of("http://localhost:5173", "https://erp.example"))
                .connectionTtlSeconds(60)
                .maxSubscriptionsPerConnection(5)
                .dispatchConcurrency(2)
                .managementEndpoint("http://localhost:3001/local")
                .dynamoDbEndpoint("http://localhost:4567")
                .region("eu-west-1")
                .build();

        assertThat(env.connectionTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(env.maxSubscriptionsPerConnection()).isEqualTo(5);
        assertThat(env.dispatchConcurrency()).isEqualTo(2);
        assertThat(env.allowedOrigins()).containsExactly("http://localhost:5173", "https://erp.example");
        assertThat(env.get(RealtimeEnv.Var.JWT_TYP)).isEqualTo("at+jwt");
        assertThat(env.region()).isEqualTo("eu-west-1");
    }

    @Test
    void builder_shouldValidateOnBuild_andGiveTheRawMapWithoutValidation() {
        RealtimeEnv.Builder b = RealtimeEnv.builder().connectionsTable("c").jwtAlgorithms("HS256");

        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SUBSCRIPTIONS_TABLE is not set")
                .hasMessageContaining("HS256");
        // the CDK stack passes unresolved tokens: toMap() neither validates nor adds defaults
        assertThat(b.toMap()).isEqualTo(Map.of("CONNECTIONS_TABLE", "c", "JWT_ALGORITHMS", "HS256"));
        assertThat(b.set(RealtimeEnv.Var.CONNECTIONS_TABLE, null).toMap()).doesNotContainKey("CONNECTIONS_TABLE");
    }

    @Test
    void jwtTyp_shouldBeEmpty_whenNotSet_andPresentWhenSet() {
        assertThat(RealtimeEnv.from(minimal()).jwtTyp()).isEqualTo(Optional.empty());
        assertThat(RealtimeEnv.from(with("JWT_TYP", "at+jwt")).jwtTyp()).contains("at+jwt");
    }
}
