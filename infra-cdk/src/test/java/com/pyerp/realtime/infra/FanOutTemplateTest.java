package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.arn;
import static com.pyerp.realtime.infra.Synth.gateway;
import static com.pyerp.realtime.infra.Synth.logicalId;
import static com.pyerp.realtime.infra.Synth.ref;
import static com.pyerp.realtime.infra.Synth.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.DispatchBuffer;
import com.pyerp.realtime.core.dispatch.FanOutPages;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import tools.jackson.databind.JsonNode;

/** Scatter's wiring: the fan-out queue, its consumer (the dispatcher, one page per invocation), IAM and the env. */
class FanOutTemplateTest {

    @Test
    void fanOutQueue_isEncrypted_tlsOnly_shortLived_andRedrivesToItsDlq() {
        JsonNode props = Synth.json(template())
                .path("Resources")
                .path(logicalId(gateway().scatter().queue()))
                .path("Properties");
        assertThat(props.path("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(props.path("MessageRetentionPeriod").asInt()).isEqualTo(3600);
        assertThat(props.path("VisibilityTimeout").asInt())
                .isEqualTo(6 * GatewayFunction.DISPATCHER.timeout().toSeconds().intValue());
        assertThat(props.path("RedrivePolicy"))
                .isEqualTo(Synth.tree(Map.of(
                        "deadLetterTargetArn",
                        arn(gateway().scatter().dlq()),
                        "maxReceiveCount",
                        DispatchBuffer.MAX_RECEIVE_COUNT)));
    }

    @Test
    void dispatcher_consumesOnePageTaskPerInvocation_throughItsAlias_withBoundedConcurrency() {
        template()
                .hasResourceProperties(
                        "AWS::Lambda::EventSourceMapping",
                        Match.objectLike(Map.of(
                                "EventSourceArn", arn(gateway().scatter().queue()),
                                "BatchSize", FanOutScatter.BATCH_SIZE,
                                "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
                                "ScalingConfig", Map.of("MaximumConcurrency", FanOutPages.MAX_CONCURRENCY))));
        assertThat(FanOutScatter.BATCH_SIZE).isEqualTo(1);
    }

    @Test
    void dispatcher_knowsTheQueue_throughTheRealtimeEnvContract() {
        HandlerFunction d = gateway().function(GatewayFunction.DISPATCHER);
        JsonNode env = Synth.json(template())
                .path("Resources")
                .path(logicalId(d.function()))
                .path("Properties")
                .path("Environment")
                .path("Variables");
        assertThat(env.path(RealtimeEnv.Var.FANOUT_QUEUE_URL.name()))
                .isEqualTo(Synth.tree(ref(gateway().scatter().queue())));
    }

    @Test
    void onlyTheDispatcher_maySendPageTasks() {
        String queueArn = Synth.JSON.writeValueAsString(arn(gateway().scatter().queue()));
        for (GatewayFunction f : GatewayFunction.values()) {
            String role = logicalId(gateway().function(f).role());
            boolean sends = false;
            for (Map<String, Object> p :
                    template().findResources("AWS::IAM::Policy").values()) {
                JsonNode props = Synth.JSON.valueToTree(p).path("Properties");
                boolean mine = false;
                for (JsonNode r : props.path("Roles"))
                    mine |= r.path("Ref").asString().equals(role);
                if (!mine) continue;
                for (JsonNode st : props.path("PolicyDocument").path("Statement")) {
                    if (!st.path("Resource").toString().equals(queueArn)) continue;
                    for (JsonNode a : st.path("Action").isArray() ? st.path("Action") : List.of(st.path("Action")))
                        sends |= a.asString().equals("sqs:SendMessage");
                }
            }
            assertThat(sends).as(f + " may send page tasks").isEqualTo(f == GatewayFunction.DISPATCHER);
        }
    }
}
