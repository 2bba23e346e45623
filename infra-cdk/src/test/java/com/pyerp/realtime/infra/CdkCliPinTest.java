package com.pyerp.realtime.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The aws-cdk CLI is pinned in infra-cdk/package.json (cdk synth/deploy) and again in localstack/package.json,
 * because cdklocal resolves it from its own folder; this keeps the two pins one version.
 */
class CdkCliPinTest {
    @Test
    void localstackPinsTheSameCdkCli_asInfraCdk() throws Exception {
        Path module = Path.of(System.getProperty("user.dir"));
        JsonNode infra = JsonMapper.builder().build().readTree(Files.readString(module.resolve("package.json")));
        JsonNode localstack = JsonMapper.builder()
                .build()
                .readTree(Files.readString(
                        module.resolve("../localstack/package.json").normalize()));
        String pinned = infra.path("devDependencies").path("aws-cdk").asString();
        assertThat(pinned).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(localstack.path("devDependencies").path("aws-cdk").asString())
                .isEqualTo(pinned);
    }
}
