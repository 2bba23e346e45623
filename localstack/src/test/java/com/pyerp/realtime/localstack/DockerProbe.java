package com.pyerp.realtime.localstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Is a Docker engine reachable? Asks the {@code docker} CLI ({@code docker info}), which is what localstack-utils
 * itself drives, so "reachable" here means "localstack-utils can start LocalStack".
 */
record DockerProbe(boolean reachable, String reason) {

    static DockerProbe probe() {
        return probe(List.of("docker", "info", "--format", "{{.ServerVersion}}"));
    }

    /** Runs the given command (tests pass a missing executable or a failing command). */
    static DockerProbe probe(List<String> command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new DockerProbe(
                    false, "the docker CLI was not found (" + command.get(0) + ": " + e.getMessage() + ")");
        }
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new DockerProbe(false, "`docker info` did not answer within 20 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                String first = out.isEmpty()
                        ? "exit code " + p.exitValue()
                        : out.lines().findFirst().orElse(out);
                return new DockerProbe(false, "`docker info` failed: " + first);
            }
            return new DockerProbe(true, "Docker engine " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return new DockerProbe(false, "interrupted while asking docker");
        } catch (IOException e) {
            return new DockerProbe(false, "cannot read `docker info`: " + e.getMessage());
        }
    }
}
