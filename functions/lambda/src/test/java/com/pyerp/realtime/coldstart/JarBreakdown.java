package com.pyerp.realtime.coldstart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The size of the Lambda deployment jar and what it is made of (compressed bytes per package group), against the
 * budget. Runs without a build of its own (a single-file program):
 *
 * <pre>java functions/lambda/src/test/java/com/pyerp/realtime/coldstart/JarBreakdown.java \
 *     functions/lambda/target/realtime-functions-0.1.0-SNAPSHOT-lambda.jar</pre>
 */
public final class JarBreakdown {
    /** The deployable's target (issue 14): at most 10 MB. */
    public static final long BUDGET_BYTES = 10L * 1024 * 1024;

    /** What LambdaJarIT enforces: today's size plus a margin, so growth is a decision, not an accident. */
    public static final long CEILING_BYTES = 15L * 1024 * 1024;

    private JarBreakdown() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: JarBreakdown <jar>");
        Path jar = Path.of(args[0]);
        long size = Files.size(jar);
        Map<String, long[]> groups = groups(jar);
        System.out.printf(
                "%s: %,d bytes (%.1f MB), budget %.1f MB: %s%n",
                jar.getFileName(),
                size,
                size / 1048576.0,
                BUDGET_BYTES / 1048576.0,
                size <= BUDGET_BYTES ? "within" : "OVER");
        System.out.printf("%12s %7s  %s%n", "compressed", "entries", "group");
        groups.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> System.out.printf("%,12d %7d  %s%n", e.getValue()[0], e.getValue()[1], e.getKey()));
    }

    /** Compressed bytes and entry count per group: three package levels, four under software.amazon.awssdk. */
    static Map<String, long[]> groups(Path jar) throws IOException {
        Map<String, long[]> groups = new TreeMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.isDirectory()) continue;
                long[] g = groups.computeIfAbsent(group(e.getName()), k -> new long[2]);
                g[0] += e.getCompressedSize();
                g[1]++;
            }
        }
        return groups;
    }

    static String group(String entry) {
        String[] p = entry.split("/");
        if (p.length == 1) return "(top-level files)";
        int depth = entry.startsWith("software/amazon/awssdk/") ? 4 : entry.startsWith("META-INF/") ? 1 : 3;
        StringBuilder g = new StringBuilder();
        for (int i = 0; i < Math.min(depth, p.length - 1); i++)
            g.append(i == 0 ? "" : ".").append(p[i]);
        return g.toString();
    }
}
