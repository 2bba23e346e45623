package com.pyerp.realtime.events.publisher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shaded jar runs on its own: {@code java -jar realtime-events-publisher-all.jar}. */
@Timeout(120)
class SimulatorJarIT {
    private record Result(int status, String out, String err) {}

    private static Result java(String... args) throws Exception {
        String jar = System.getProperty("simulator.jar");
        assertThat(jar).as("failsafe passes simulator.jar").isNotBlank();
        assertThat(Path.of(jar)).exists();
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
        cmd.addAll(List.of(args));
        File out = Files.createTempFile("sim-out", ".txt").toFile();
        File err = Files.createTempFile("sim-err", ".txt").toFile();
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err);
            pb.environment().remove("AWS_ENDPOINT_URL_EVENTBRIDGE");
            pb.environment().remove("AWS_ENDPOINT_URL");
            Process p = pb.start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the simulator did not end");
            }
            return new Result(
                    p.exitValue(),
                    Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }

    @Test
    void help_andBadArguments() throws Exception {
        Result help = java("--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).startsWith("Usage: java -jar realtime-events-publisher-all.jar");
        Result bad = java("--rate", "fast");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).startsWith("simulator: --rate must be a number, got 'fast'");
    }

    @Test
    void aRun_sendsSchemaValidEvents() throws Exception {
        try (FakeEventBridge bus = new FakeEventBridge()) {
            Result r = java("--endpoint", bus.endpoint(), "--rate", "100", "--count", "25", "--seed", "11");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("sent 25 of 25 events");
            assertThat(bus.entries()).hasSize(25);
        }
    }
}
