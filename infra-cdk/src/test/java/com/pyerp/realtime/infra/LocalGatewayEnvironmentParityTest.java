package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.gateway;
import static com.pyerp.realtime.infra.Synth.logicalId;
import static com.pyerp.realtime.infra.Synth.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.local.LocalGateway;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * The functions get the same configuration in the cloud and locally: the synthesized template's Lambda environment and
 * the local gateway's, compared variable by variable over the whole {@link RealtimeEnv} contract. Only the values that
 * belong to one deployment ({@link RealtimeEnv#PER_DEPLOYMENT}: tables, identity provider, origins, endpoints, region)
 * may differ; every other variable resolves to the same value on both sides (set, or left to the contract's default).
 */
@Timeout(120)
class LocalGatewayEnvironmentParityTest {
    private static JsonNode templateEnvironment(GatewayFunction f) {
        return Synth.json(template())
                .path("Resources")
                .path(logicalId(gateway().function(f).function()))
                .path("Properties")
                .path("Environment")
                .path("Variables");
    }

    private static String effective(String value, RealtimeEnv.Var v) {
        return value != null ? value : v.defaultValue().orElse(null);
    }

    @ParameterizedTest
    @EnumSource(GatewayFunction.class)
    void everyContractVariable_isTheSameInTheTemplateAndTheLocalGateway_exceptPerDeploymentValues(GatewayFunction f) {
        JsonNode aws = templateEnvironment(f);
        assertThat(aws.isObject()).as("the template's environment of %s", f).isTrue();
        Map<String, String> local = LocalGateway.defaultEnvironment(8080);
        SoftAssertions soft = new SoftAssertions();
        for (RealtimeEnv.Var v : RealtimeEnv.Var.values()) {
            JsonNode value = aws.get(v.name());
            // a deploy-time value (table name, endpoint) is an intrinsic function object in the template
            String inTemplate = value == null ? null : value.isString() ? value.asString() : value.toString();
            String inLocal = local.get(v.name());
            if (RealtimeEnv.PER_DEPLOYMENT.contains(v)) {
                // Lambda sets AWS_REGION itself; every other required one is set on both sides
                if (v.required() && v != RealtimeEnv.Var.AWS_REGION) {
                    soft.assertThat(inTemplate).as("%s in the template", v).isNotNull();
                    soft.assertThat(inLocal).as("%s in the local gateway", v).isNotNull();
                }
                continue;
            }
            soft.assertThat(effective(inLocal, v))
                    .as("%s: local gateway (%s) vs template (%s)", v, inLocal, inTemplate)
                    .isEqualTo(effective(inTemplate, v));
        }
        soft.assertAll();
    }

    /** Regression: the local gateway forced ES256, so an RS256 identity provider got 401 locally and 101 on AWS. */
    @Test
    void jwtAlgorithms_localDefaultIsTheStacksRs256AndEs256_notEs256Only() {
        assertThat(effective(
                        LocalGateway.defaultEnvironment(8080).get("JWT_ALGORITHMS"), RealtimeEnv.Var.JWT_ALGORITHMS))
                .isEqualTo("RS256,ES256");
    }
}
