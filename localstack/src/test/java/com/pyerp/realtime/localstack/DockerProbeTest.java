package com.pyerp.realtime.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The skip reason must say what is missing: these run everywhere, with or without Docker. */
class DockerProbeTest {

    @Test
    void probe_shouldSayTheCliIsMissing_whenThereIsNoDockerExecutable() {
        DockerProbe p = DockerProbe.probe(List.of("/nonexistent/docker", "info"));
        assertThat(p.reachable()).isFalse();
        assertThat(p.reason()).startsWith("the docker CLI was not found");
    }

    @Test
    void probe_shouldQuoteTheFirstLineOfTheError_whenTheEngineRefuses() {
        DockerProbe p =
                DockerProbe.probe(List.of("sh", "-c", "echo 'Cannot connect to the Docker daemon'; echo more; exit 1"));
        assertThat(p.reachable()).isFalse();
        assertThat(p.reason()).isEqualTo("`docker info` failed: Cannot connect to the Docker daemon");
    }

    @Test
    void probe_shouldReportTheServerVersion_whenTheEngineAnswers() {
        DockerProbe p = DockerProbe.probe(List.of("sh", "-c", "echo 28.2.2"));
        assertThat(p.reachable()).isTrue();
        assertThat(p.reason()).isEqualTo("Docker engine 28.2.2");
    }
}
