package com.pyerp.realtime.coldstart;

import com.pyerp.realtime.aws.dynamo.Dynalite;
import com.pyerp.realtime.aws.dynamo.RegistryTableSetup;
import com.pyerp.realtime.handler.ConnectHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Cold start of {@code ConnectHandler} against a hello-world handler, measured in the same run: each sample is a fresh
 * JVM on the shaded deployment jar that loads the handler by name, constructs it, deserializes the golden
 * {@code $connect} event with the runtime's serializers and answers it (the connect registers the connection in
 * dynalite through the DynamoDB registry). Prints every sample, the medians and the ratio; the target is ≤ 2.0×.
 *
 * <pre>
 * mvn -q -B -pl functions/lambda -am package -DskipTests
 * mvn -q -B -o -pl functions/lambda exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=com.pyerp.realtime.coldstart.ColdStartBenchmark [-Dexec.args="--rounds 10"]
 * </pre>
 */
public final class ColdStartBenchmark {
    private ColdStartBenchmark() {}

    public static void main(String[] args) {
        int rounds = 7;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--rounds")) rounds = Integer.parseInt(args[i + 1]);
            else throw new IllegalArgumentException("unknown option " + args[i] + " (--rounds N)");
        }
        System.out.println("cold start: " + ShadedJar.jar().getFileName() + ", " + rounds
                + " rounds, each a fresh JVM from process start to the answered $connect");
        try (Dynalite dynalite = Dynalite.start();
                DynamoDbClient client = dynalite.client()) {
            RegistryTableSetup.createIfMissing(client, ShadedJar.TABLES[0], ShadedJar.TABLES[1]);
            Map<String, String> env = ShadedJar.env(dynalite.endpoint());
            String hello = HelloHandler.class.getName();
            String connect = ConnectHandler.class.getName();
            // one discarded run of each: the jar and the JDK in the page cache, dynalite's tables warm
            check(ShadedJar.run(env, hello, "connect.json"));
            check(ShadedJar.run(env, connect, "connect.json"));
            List<Long> helloMs = new ArrayList<>();
            List<Long> connectMs = new ArrayList<>();
            List<Long> helloCpu = new ArrayList<>();
            List<Long> connectCpu = new ArrayList<>();
            List<Long> firstCpu = new ArrayList<>();
            List<Long> primedCpu = new ArrayList<>();
            List<String> prime = List.of("-D" + LambdaRuntimeSim.PRIME + "=true");
            for (int r = 1; r <= rounds; r++) {
                // alternate, so machine load drifts over all alike
                ShadedJar.Run h = check(ShadedJar.run(env, hello, "connect.json"));
                ShadedJar.Run c = check(ShadedJar.run(env, connect, "connect.json"));
                ShadedJar.Run p = check(ShadedJar.run(prime, env, connect, "connect.json"));
                helloMs.add(h.millis());
                connectMs.add(c.millis());
                helloCpu.add(h.processCpuMillis());
                connectCpu.add(c.processCpuMillis());
                firstCpu.add(c.firstInvokeCpuMillis());
                primedCpu.add(p.firstInvokeCpuMillis());
                System.out.printf(
                        "round %2d: hello %5d ms (cpu %5d)   ConnectHandler %5d ms (cpu %5d)   first request cpu %4d ms,"
                                + " after priming %4d ms%n",
                        r,
                        h.millis(),
                        h.processCpuMillis(),
                        c.millis(),
                        c.processCpuMillis(),
                        c.firstInvokeCpuMillis(),
                        p.firstInvokeCpuMillis());
            }
            long mh = median(helloMs);
            long mc = median(connectMs);
            System.out.printf(
                    "median wall: hello-world %d ms (baseline), ConnectHandler %d ms, ratio %.2fx (target <= 2.00x)%n",
                    mh, mc, (double) mc / mh);
            long ch = median(helloCpu);
            long cc = median(connectCpu);
            System.out.printf(
                    "median process CPU to the answer: hello-world %d ms (baseline), ConnectHandler %d ms, ratio %.2fx%n",
                    ch, cc, (double) cc / ch);
            System.out.printf(
                    "median CPU of the first request after init: %d ms unprimed, %d ms after the priming hooks ran%n",
                    median(firstCpu), median(primedCpu));
        }
    }

    private static ShadedJar.Run check(ShadedJar.Run run) {
        if (!run.answer().contains("\"statusCode\":200")) {
            throw new IllegalStateException(
                    "not a 200 answer: " + run.answer() + "\n" + String.join("\n", run.output()));
        }
        return run;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
