package com.pyerp.realtime.infra;

import static com.pyerp.realtime.infra.Synth.JSON;
import static com.pyerp.realtime.infra.Synth.annotations;
import static com.pyerp.realtime.infra.Synth.template;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import tools.jackson.databind.JsonNode;

/** cdk-nag AwsSolutionsChecks on the app's stack: no unsuppressed finding, and every suppression says why. */
// Annotations.find* return cxapi.SynthesisMessage, deprecated in favour of a type the assertions API does not return
// yet
@SuppressWarnings("deprecation")
@Timeout(300)
class CdkNagTest {

    private static String describe(List<SynthesisMessage> messages) {
        StringBuilder sb = new StringBuilder();
        for (SynthesisMessage m : messages)
            sb.append('\n').append(m.getId()).append(": ").append(m.getEntry().getData());
        return sb.toString();
    }

    @Test
    void awsSolutions_hasNoUnsuppressedError() {
        List<SynthesisMessage> errors = annotations().findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
        assertThat(errors).as(describe(errors)).isEmpty();
    }

    @Test
    void awsSolutions_hasNoUnsuppressedWarning() {
        List<SynthesisMessage> warnings = annotations().findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));
        assertThat(warnings).as(describe(warnings)).isEmpty();
    }

    @Test
    void everySuppression_isAKnownRule_withASpecificReason() {
        Set<String> rules = new TreeSet<>();
        int suppressions = 0;
        for (JsonNode r : Synth.json(template()).path("Resources")) {
            for (JsonNode s : r.path("Metadata").path("cdk_nag").path("rules_to_suppress")) {
                suppressions++;
                rules.add(s.path("id").asString());
                String reason = s.path("reason").asString();
                assertThat(reason).as(s.toString()).hasSizeGreaterThan(60);
                assertThat(reason.toLowerCase()).as(s.toString()).doesNotContain("todo", "n/a", "not needed", "ignore");
            }
        }
        assertThat(suppressions).isGreaterThan(0);
        // a new kind of suppression must be reviewed here, not slip in
        assertThat(rules)
                .containsExactlyInAnyOrder(
                        "AwsSolutions-APIG4",
                        "AwsSolutions-L1",
                        "AwsSolutions-SQS3",
                        "AwsSolutions-IAM4",
                        "AwsSolutions-IAM5");
    }

    @Test
    void wildcardSuppression_appliesOnlyToThisStagesConnectionsPath() {
        JsonNode dispatcherPolicy = Synth.json(template())
                .path("Resources")
                .path(Synth.logicalId(Synth.gateway()
                        .function(GatewayFunction.DISPATCHER)
                        .role()
                        .getNode()
                        .findChild("DefaultPolicy")));
        JsonNode iam5 = null;
        for (JsonNode s : dispatcherPolicy.path("Metadata").path("cdk_nag").path("rules_to_suppress")) {
            if (s.path("id").asString().equals("AwsSolutions-IAM5")) iam5 = s;
        }
        assertThat(iam5).isNotNull();
        assertThat(JSON.writeValueAsString(iam5.path("applies_to")))
                .contains("\\\\/live\\\\/POST\\\\/@connections\\\\/\\\\*$");
    }

    @Test
    void cdkWarnings_areOnlyAcknowledgedOnes() {
        List<SynthesisMessage> warnings = annotations().findWarning("*", Match.anyValue());
        assertThat(warnings).as(describe(warnings)).isEmpty();
    }
}
