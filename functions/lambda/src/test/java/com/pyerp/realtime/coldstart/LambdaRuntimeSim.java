package com.pyerp.realtime.coldstart;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.pyerp.realtime.testing.TestLambdaContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * The main of a child JVM that does what the Lambda Java runtime does on a cold start, on the shaded deployment jar:
 * load the handler class by name, construct it (the function's init), deserialize a golden event fixture with the
 * runtime's serializers, call the handler, serialize its answer. It prints one line, {@code ANSWERED <json>} or
 * {@code THREW <exception class>}, after {@code FIRST_INVOKE_MS <n>}, and exits; the parent measures the time from process start to that line.
 *
 * <p>Arguments: {@code <handler class> <fixture under events/> [placeholder=value ...]}.
 */
public final class LambdaRuntimeSim {
    /** System property: run the SnapStart priming hooks (the CRaC resources) between init and the first request. */
    static final String PRIME = "coldstart.prime";
    /**
     * Output line prefix, then three numbers: wall and thread-CPU milliseconds of the first handleRequest (after init,
     * and after priming when asked), and the process's CPU milliseconds from JVM start to the answer.
     */
    static final String FIRST_INVOKE = "FIRST_INVOKE_MS ";

    private LambdaRuntimeSim() {}

    public static void main(String[] args) throws Exception {
        ClassLoader cl = LambdaRuntimeSim.class.getClassLoader();
        String json;
        try (InputStream in = cl.getResourceAsStream("events/" + args[1])) {
            if (in == null) throw new IllegalArgumentException("no fixture events/" + args[1]);
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            json = json.replace(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        byte[] input = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long invoke;
        long invokeCpu;
        java.lang.management.ThreadMXBean threads;
        try {
            Object handler = Class.forName(args[0], true, cl).getConstructor().newInstance();
            if (Boolean.getBoolean(PRIME)) {
                // what SnapStart does around its snapshot: the priming hooks run after init, before the first request
                com.pyerp.realtime.handler.Priming.primeAll();
            }
            threads = java.lang.management.ManagementFactory.getThreadMXBean();
            invokeCpu = threads.getCurrentThreadCpuTime();
            invoke = System.nanoTime();
            if (handler instanceof RequestStreamHandler stream) {
                stream.handleRequest(new ByteArrayInputStream(input), out, context(args[0]));
            } else {
                invoke((RequestHandler<?, ?>) handler, input, out, cl);
            }
        } catch (Throwable t) {
            Throwable cause = t instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : t;
            System.out.println("THREW " + cause.getClass().getName() + ": " + cause.getMessage());
            System.out.flush();
            return;
        }
        long invokeMillis = (System.nanoTime() - invoke) / 1_000_000;
        long invokeCpuMillis = (threads.getCurrentThreadCpuTime() - invokeCpu) / 1_000_000;
        // CPU of the whole process (all threads: JIT, GC, class loading) from JVM start to the answer: unlike wall
        // time, it does not grow when other processes compete for the cores
        long processCpuMillis = ((com.sun.management.OperatingSystemMXBean)
                                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1_000_000;
        System.out.println(FIRST_INVOKE + invokeMillis + " " + invokeCpuMillis + " " + processCpuMillis);
        System.out.println("ANSWERED " + out.toString(StandardCharsets.UTF_8));
        System.out.flush();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void invoke(RequestHandler handler, byte[] input, ByteArrayOutputStream out, ClassLoader cl) {
        Type[] types = requestHandlerTypes(handler.getClass());
        PojoSerializer in = LambdaEventSerializers.serializerFor((Class) types[0], cl);
        PojoSerializer result = LambdaEventSerializers.serializerFor((Class) types[1], cl);
        Object answer = handler.handleRequest(
                in.fromJson(new ByteArrayInputStream(input)),
                context(handler.getClass().getSimpleName()));
        result.toJson(answer, out);
    }

    private static Type[] requestHandlerTypes(Class<?> type) {
        for (Type t : type.getGenericInterfaces()) {
            if (t instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                return p.getActualTypeArguments();
            }
        }
        throw new IllegalArgumentException(type + " does not implement RequestHandler<I, O>");
    }

    private static Context context(String functionName) {
        return TestLambdaContext.printing(functionName, "cold-start");
    }
}
