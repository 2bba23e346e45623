package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.arn;
import static com.pyerp.realtime.infra.Synth.gateway;
import static com.pyerp.realtime.infra.Synth.logicalId;
import static com.pyerp.realtime.infra.Synth.ref;
import static com.pyerp.realtime.infra.Synth.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.DispatchBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awscdk.assertions.Match;
import tools.jackson.databind.JsonNode;

@Timeout(300)
class FunctionsTemplateTest {

    private JsonNode functionProps(GatewayFunction f) {
        return Synth.json(template())
                .path("Resources")
                .path(logicalId(gateway().function(f).function()))
                .path("Properties");
    }

    @ParameterizedTest
    @EnumSource(GatewayFunction.class)
    void function_isJava21Arm64_withSnapStartOnPublishedVersions(GatewayFunction f) {
        template()
                .hasResourceProperties(
                        "AWS::Lambda::Function",
                        Match.objectLike(Map.of(
                                "Handler", f.handler(),
                                "Runtime", "java21",
                                "Architectures", List.of("arm64"),
                                "SnapStart", Map.of("ApplyOn", "PublishedVersions"),
                                // the numbers the local gateway enforces too (one source: FunctionLimits)
                                "MemorySize", f.limits().memoryMb(),
                                "Timeout", f.limits().timeout().toSeconds(),
                                "Role", arn(gateway().function(f).role()),
                                "LoggingConfig",
                                        Map.of(
                                                "LogGroup",
                                                ref(gateway().function(f).logGroup())))));
        template().hasResourceProperties("AWS::Logs::LogGroup", Match.objectEquals(Map.of("RetentionInDays", 30)));
        assertThat(functionProps(f).path("Handler").asString())
                .startsWith("com.pyerp.realtime.handler.")
                .endsWith("::handleRequest");
    }

    @ParameterizedTest
    @EnumSource(GatewayFunction.class)
    void function_isInvokedThroughTheLiveAlias_onItsPublishedVersion(GatewayFunction f) {
        HandlerFunction h = gateway().function(f);
        JsonNode resources = Synth.json(template()).path("Resources");
        JsonNode alias = resources.path(logicalId(h.alias()));
        assertThat(alias.path("Type").asString()).isEqualTo("AWS::Lambda::Alias");
        assertThat(alias.path("Properties").path("Name").asString()).isEqualTo(HandlerFunction.ALIAS);
        assertThat(alias.path("Properties").path("FunctionName")).isEqualTo(Synth.tree(ref(h.function())));
        // FunctionVersion: Fn::GetAtt [<the function's published Version>, Version]
        JsonNode getAtt = alias.path("Properties").path("FunctionVersion").path("Fn::GetAtt");
        assertThat(getAtt.path(1).asString()).isEqualTo("Version");
        JsonNode version = resources.path(getAtt.path(0).asString());
        assertThat(version.path("Type").asString()).isEqualTo("AWS::Lambda::Version");
        assertThat(version.path("Properties").path("FunctionName")).isEqualTo(Synth.tree(ref(h.function())));
        // a replaced version is deleted once the alias has moved on, instead of piling up
        assertThat(version.path("DeletionPolicy").asString()).isEqualTo("Delete");
    }

    @ParameterizedTest
    @EnumSource(GatewayFunction.class)
    void environment_isTheRealtimeEnvContract_plusJavaToolOptions(GatewayFunction f) {
        JsonNode env = functionProps(f).path("Environment").path("Variables");
        List<String> names = new ArrayList<>();
        env.propertyNames().forEach(names::add);
        // every required variable of the contract, except AWS_REGION which Lambda reserves and sets
        for (RealtimeEnv.Var v : RealtimeEnv.Var.values()) {
            if (v.required() && v != RealtimeEnv.Var.AWS_REGION)
                assertThat(names).as("%s on %s", v, f).contains(v.name());
        }
        assertThat(names).doesNotContain("AWS_REGION", "AWS_ENDPOINT_URL_DYNAMODB");
        Set<String> contract = new java.util.HashSet<>();
        for (RealtimeEnv.Var v : RealtimeEnv.Var.values()) contract.add(v.name());
        contract.add(FunctionEnvironment.JAVA_TOOL_OPTIONS);
        assertThat(contract).containsAll(names);

        assertThat(env.path("JAVA_TOOL_OPTIONS").asString())
                .isEqualTo("-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
        assertThat(env.path("JWT_ISSUER").asString()).isEqualTo("https://id.example.com/realms/pyerp");
        assertThat(env.path("JWT_AUDIENCE").asString()).isEqualTo("pyerp-realtime");
        assertThat(env.path("JWT_JWKS_URL").asString())
                .isEqualTo("https://id.example.com/realms/pyerp/protocol/openid-connect/certs");
        assertThat(env.path("ALLOWED_ORIGINS").asString()).isEqualTo("https://erp.example.com");
        assertThat(env.path("CONNECTIONS_TABLE"))
                .isEqualTo(Synth.tree(ref(gateway().tables().connections())));
        assertThat(env.path("SUBSCRIPTIONS_TABLE"))
                .isEqualTo(Synth.tree(ref(gateway().tables().subscriptions())));
        assertThat(env.path("HISTORY_TABLE"))
                .isEqualTo(Synth.tree(ref(gateway().tables().history())));
        // https://{apiId}.execute-api.{region}.{suffix}/{stage}: the @connections endpoint of this API's stage
        assertThat(env.path("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI"))
                .isEqualTo(Synth.tree(Map.of(
                        "Fn::Join",
                        List.of(
                                "",
                                List.of(
                                        "https://",
                                        ref(gateway().api()),
                                        ".execute-api.",
                                        Map.of("Ref", "AWS::Region"),
                                        ".",
                                        Map.of("Ref", "AWS::URLSuffix"),
                                        "/live")))));
    }

    @Test
    void dispatcher_consumesTheDispatchBuffer_inBatches_throughItsAlias_withPartialBatchResponses() {
        HandlerFunction d = gateway().function(GatewayFunction.DISPATCHER);
        // this one and the fan-out queue's (FanOutTemplateTest)
        template().resourceCountIs("AWS::Lambda::EventSourceMapping", 2);
        template()
                .hasResourceProperties(
                        "AWS::Lambda::EventSourceMapping",
                        Match.objectEquals(Map.of(
                                "EventSourceArn", arn(gateway().events().dispatchBuffer()),
                                // the alias, {function name}:live (the 7th field of the alias ARN is the function name)
                                "FunctionName",
                                        Map.of(
                                                "Fn::Join",
                                                List.of(
                                                        "",
                                                        List.of(
                                                                Map.of(
                                                                        "Fn::Select",
                                                                        List.of(
                                                                                6,
                                                                                Map.of(
                                                                                        "Fn::Split",
                                                                                        List.of(":", ref(d.alias()))))),
                                                                ":" + HandlerFunction.ALIAS))),
                                "BatchSize", DispatchBuffer.BATCH_SIZE,
                                // no batching window: the event source invokes as soon as messages arrive (AWS
                                // allows that for batches of at most 10)
                                "MaximumBatchingWindowInSeconds", 0,
                                "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
                                "ScalingConfig", Map.of("MaximumConcurrency", DispatchBuffer.MAX_CONCURRENCY))));
        // retries come from the buffer now: no async invoke config (retries, on-failure destination) on any function
        template().resourceCountIs("AWS::Lambda::EventInvokeConfig", 0);
        // CreateEventSourceMapping checks the role can receive: the mapping -> alias -> version -> function chain
        // reaches the role's policy, because the function depends on it
        JsonNode fn = Synth.json(template()).path("Resources").path(logicalId(d.function()));
        List<String> dependsOn = new ArrayList<>();
        fn.path("DependsOn").forEach(n -> dependsOn.add(n.asString()));
        assertThat(dependsOn).contains(logicalId(d.role().getNode().findChild("DefaultPolicy")));
    }

    @Test
    void dispatchBuffer_deliversWithoutWaiting_batchesOfAtMostTen() {
        // AWS requires a batching window of at least 1 s for batches over 10: low latency means at most 10
        assertThat(DispatchBuffer.BATCH_SIZE).isBetween(1, 10);
        assertThat(DispatchBuffer.BATCHING_WINDOW).isZero();
        assertThat(DispatchBuffer.RETRY_VISIBILITY).isLessThanOrEqualTo(java.time.Duration.ofSeconds(5));
    }

    @Test
    void memory_isTunedPerFunction() {
        assertThat(functionProps(GatewayFunction.DISPATCHER).path("MemorySize").asInt())
                .isEqualTo(1769);
        assertThat(functionProps(GatewayFunction.DISCONNECT).path("MemorySize").asInt())
                .isEqualTo(512);
        assertThat(functionProps(GatewayFunction.AUTHORIZER).path("MemorySize").asInt())
                .isEqualTo(1024);
    }
}
