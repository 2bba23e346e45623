package com.pyerp.realtime.events.publisher;

import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.Tenants;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pyERP event simulator (mock event generator): sends realistic, schema-valid events of a simulated plant
 * (see {@link MockErp}) through an {@link ErpEventPublisher} at a given rate for a given time.
 *
 * <p>In process: {@code Simulator.builder().publisher(p).ratePerSecond(5).duration(Duration.ofMinutes(1)).seed(42)
 * .tenant("acme").build().run(progress -> ...)} returns a {@link Summary}; {@link #stop()} ends a run early from another
 * thread. On the command line: {@code java -jar realtime-events-publisher-all.jar --help}.
 *
 * <p>Events are spread evenly: event {@code k} is due {@code k / rate} seconds after the start. When the endpoint is
 * slower than the rate, the simulator catches up in bursts (at most 100 events a call, batched by the publisher)
 * and stops at the end of the duration with what it could send.
 */
public final class Simulator {
    /** Events generated and handed to the publisher in one go, at most. */
    static final int MAX_BURST = 100;

    public static final double MAX_RATE = 10_000;
    public static final Duration MAX_DURATION = Duration.ofDays(1);
    public static final String DEFAULT_ENDPOINT = "http://localhost:8080";
    public static final List<String> DEFAULT_USERS = List.of("alice", "bob", "carol");

    private final ErpEventPublisher publisher;
    private final double rate;
    private final Duration duration;
    private final long target;
    private final MockErp erp;
    private final Consumer<PublishResult> onResult;
    private volatile boolean stopped;

    private Simulator(Builder b, Duration duration, long target, MockErp erp) {
        this.publisher = b.publisher;
        this.rate = b.rate;
        this.duration = duration;
        this.target = target;
        this.erp = erp;
        this.onResult = b.onResult;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The number of events this run will send (when the endpoint keeps up). */
    public long target() {
        return target;
    }

    /** Ends a running {@link #run} after its current call; safe from any thread. */
    public void stop() {
        stopped = true;
    }

    /**
     * Where a run stands, reported after each PutEvents round and at the end.
     *
     * @param target  events the run will generate when it keeps up
     * @param elapsed time since the start
     */
    public record Progress(long generated, long sent, long rejected, long failed, long target, Duration elapsed) {
        /** e.g. {@code 120/300 events  sent 118  rejected 0  failed 2  4.9/s  00:24}. */
        public String line() {
            double secs = Math.max(elapsed.toMillis(), 1) / 1000.0;
            return String.format(
                    Locale.ROOT,
                    "%d/%d events  sent %d  rejected %d  failed %d  %.1f/s  %s",
                    generated,
                    target,
                    sent,
                    rejected,
                    failed,
                    sent / secs,
                    clock(elapsed));
        }
    }

    /**
     * The outcome of a run.
     *
     * @param sentByEvent    sent events per catalog name, sorted by name
     * @param stoppedBecause null when the run completed; else why it ended early
     * @param errors         up to 5 distinct failure or rejection reasons, for the user
     */
    public record Summary(
            long generated,
            long sent,
            long rejected,
            long failed,
            Map<String, Long> sentByEvent,
            Duration elapsed,
            String stoppedBecause,
            List<String> errors) {
        public Summary {
            sentByEvent = Collections.unmodifiableMap(new TreeMap<>(sentByEvent));
            errors = List.copyOf(errors);
        }

        public boolean ok() {
            return stoppedBecause == null && rejected == 0 && failed == 0;
        }
    }

    /** Runs to the end (or {@link #stop()}); {@code progress} (may be null) hears after every round. */
    public Summary run(Consumer<Progress> progress) {
        long start = System.nanoTime();
        long deadline = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        long generated = 0;
        long sent = 0;
        long rejected = 0;
        long failed = 0;
        Map<String, Long> byEvent = new LinkedHashMap<>();
        Set<String> errors = new LinkedHashSet<>();
        String stoppedBecause = null;
        while (generated < target) {
            if (stopped) {
                stoppedBecause = "stopped";
                break;
            }
            long now = System.nanoTime();
            if (now - deadline > 0) {
                stoppedBecause = "the endpoint was too slow for " + rate + " events/s: the duration ended first";
                break;
            }
            long dueNow = Math.min(target, (long) Math.floor((now - start) / 1e9 * rate) + 1);
            long n = Math.min(MAX_BURST, dueNow - generated);
            if (n <= 0) {
                long nextAt = start + (long) Math.ceil(generated / rate * 1e9);
                sleepNanos(Math.min(nextAt - now, TimeUnit.MILLISECONDS.toNanos(100)));
                continue;
            }
            List<ErpEvent> batch = new ArrayList<>((int) n);
            for (int i = 0; i < n; i++) batch.add(erp.next());
            generated += n;
            List<PublishResult> results = publisher.publish(batch);
            boolean anySent = false;
            for (PublishResult r : results) {
                switch (r.status()) {
                    case SENT -> {
                        sent++;
                        anySent = true;
                        String name = publisher
                                .catalog()
                                .find(r.event().source(), r.event().detailType())
                                .orElseThrow()
                                .name();
                        byEvent.merge(name, 1L, Long::sum);
                    }
                    case REJECTED -> rejected++;
                    case FAILED -> failed++;
                }
                if (!r.sent() && errors.size() < 5) errors.add(r.errorCode() + ": " + String.join("; ", r.errors()));
                if (onResult != null) onResult.accept(r);
            }
            if (progress != null)
                progress.accept(new Progress(generated, sent, rejected, failed, target, elapsed(start)));
            if (sent == 0 && !anySent && failed == n) {
                stoppedBecause = "cannot publish to "
                        + publisher.endpoint().map(Object::toString).orElse("EventBridge") + ": "
                        + results.get(0).errors().get(0);
                break;
            }
        }
        Progress last = new Progress(generated, sent, rejected, failed, target, elapsed(start));
        if (progress != null) progress.accept(last);
        return new Summary(
                generated, sent, rejected, failed, byEvent, last.elapsed(), stoppedBecause, new ArrayList<>(errors));
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void sleepNanos(long nanos) {
        if (nanos <= 0) return;
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String clock(Duration d) {
        long s = d.toSeconds();
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    /**
     * Settings with their defaults: 5 events/s for 60 s (or, with {@link #maxEvents}, until that many are sent),
     * tenant {@code acme}, users alice, bob, carol, every catalog event, a random seed.
     */
    public static final class Builder {
        private ErpEventPublisher publisher;
        private double rate = 5;
        private Duration duration;
        private long maxEvents = -1;
        private long seed = System.nanoTime();
        private String tenant = "acme";
        private List<String> users = DEFAULT_USERS;
        private Set<String> events;
        private Clock clock = Clock.systemUTC();
        private Consumer<PublishResult> onResult;

        private Builder() {}

        public Builder publisher(ErpEventPublisher v) {
            publisher = v;
            return this;
        }
        /** Events per second, in (0, 10000]. */
        public Builder ratePerSecond(double v) {
            rate = v;
            return this;
        }
        /** How long to run, in (0, 1 day]. */
        public Builder duration(Duration v) {
            duration = v;
            return this;
        }
        /** Stop after this many events (then, without a duration, the run is not time-bounded). */
        public Builder maxEvents(long v) {
            maxEvents = v;
            return this;
        }
        /** The same seed gives the same events (ids, quantities, order), whatever the clock. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder tenant(String v) {
            tenant = v;
            return this;
        }
        /** The users notifications are addressed to ({@code user.<id>} channels). */
        public Builder users(List<String> v) {
            users = v;
            return this;
        }
        /** Only these catalog events (by name); default all. */
        public Builder events(Set<String> v) {
            events = v;
            return this;
        }

        public Builder clock(Clock v) {
            clock = v;
            return this;
        }
        /** Hears every result (sent, rejected, failed), e.g. to remember the event ids. */
        public Builder onResult(Consumer<PublishResult> v) {
            onResult = v;
            return this;
        }

        public Simulator build() {
            if (publisher == null) throw new IllegalArgumentException("publisher is not set");
            if (!(rate > 0 && rate <= MAX_RATE))
                throw new IllegalArgumentException("rate must be in (0, 10000] events per second, got " + rate);
            if (duration != null
                    && (duration.isZero() || duration.isNegative() || duration.compareTo(MAX_DURATION) > 0)) {
                throw new IllegalArgumentException("duration must be more than 0 and at most 1 day, got " + duration);
            }
            if (maxEvents == 0 || maxEvents < -1)
                throw new IllegalArgumentException("maxEvents must be positive, got " + maxEvents);
            if (!Tenants.isValid(tenant)) {
                throw new IllegalArgumentException("tenant must be " + Tenants.RULE + ", got '" + tenant + "'");
            }
            Objects.requireNonNull(users, "users");
            for (String u : users) {
                // a user id fills the {userId} segment of user.{userId}: the channel grammar's segment rule
                if (!com.pyerp.realtime.events.ChannelNames.isValidSegment(u)) {
                    throw new IllegalArgumentException("a user id must be "
                            + com.pyerp.realtime.events.ChannelNames.SEGMENT_DESCRIPTION + ", got '" + u + "'");
                }
            }
            Objects.requireNonNull(clock, "clock");
            EventCatalog catalog = publisher.catalog();
            Set<String> all = MockErp.eventNames(catalog);
            Set<String> chosen = events == null ? all : new LinkedHashSet<>(events);
            List<String> unknown = chosen.stream().filter(e -> !all.contains(e)).toList();
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException(
                        "unknown event " + String.join(", ", unknown) + "; the catalog has: " + String.join(", ", all));
            }
            if (chosen.isEmpty()) throw new IllegalArgumentException("events must name at least one catalog event");
            if (chosen.equals(Set.of("user-notification")) && users.isEmpty()) {
                throw new IllegalArgumentException("user-notification needs at least one user");
            }
            Duration d = duration == null && maxEvents < 0 ? Duration.ofSeconds(60) : duration;
            long byTime = d == null ? Long.MAX_VALUE : (long) Math.ceil(rate * d.toNanos() / 1e9);
            long target = Math.max(1, maxEvents > 0 ? Math.min(maxEvents, byTime) : byTime);
            return new Simulator(this, d, target, new MockErp(catalog, seed, clock, tenant, users, chosen));
        }
    }

    // ------------------------------------------------------------------------------------------------ command line

    static final String USAGE = """
            Usage: java -jar realtime-events-publisher-all.jar [options]

            Sends realistic, schema-valid pyERP events (inventory, sales, production, notifications, system)
            to an EventBridge endpoint: the local gateway by default.

            Options:
              --endpoint URL     EventBridge endpoint (default: $AWS_ENDPOINT_URL_EVENTBRIDGE, $AWS_ENDPOINT_URL,
                                 else http://localhost:8080, the local gateway)
              --aws              send to AWS EventBridge itself (default credentials, AWS_REGION)
              --bus NAME         event bus name or ARN (default: erp-events)
              --region REGION    AWS region (default: $AWS_REGION, else us-east-1)
              --rate N           events per second, in (0, 10000] (default: 5)
              --duration D       how long: 90, 90s, 2m, 1h, 500ms; at most 1 day (default: 60s)
              --count N          stop after N events (without --duration: not time-bounded)
              --events A,B       only these events (catalog names; see --list)
              --tenant ID        tenant of every event (default: acme)
              --users A,B        users notifications go to (default: alice,bob,carol)
              --seed N           the same seed sends the same events (default: random)
              --quiet            no progress line
              --list             list the catalog events and exit
              -h, --help         this help

            Exit status: 0 all events sent, 1 some were rejected or failed, 2 bad arguments.
            Example: java -jar realtime-events-publisher-all.jar --rate 20 --duration 2m --events stock-level-changed,kpi-updated
            """;

    /** Bad command-line arguments: the message says which and why. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        System.exit(cli(args, System.out, System.err, System.getenv(), System.console() != null));
    }

    /**
     * The command line, testable: returns the exit status instead of exiting.
     *
     * @param interactive rewrite one progress line in place ({@code \r}); else print a line every 5 seconds
     */
    static int cli(String[] args, PrintStream out, PrintStream err, Map<String, String> env, boolean interactive) {
        Map<String, String> opts;
        try {
            opts = parse(args);
        } catch (UsageException e) {
            err.println("simulator: " + e.getMessage());
            err.println("Try --help.");
            return 2;
        }
        if (opts.containsKey("help")) {
            out.print(USAGE);
            return 0;
        }
        EventCatalog catalog = EventCatalog.load();
        if (opts.containsKey("list")) {
            catalog.events().forEach(e -> out.printf("%-34s %-20s %s%n", e.name(), e.source(), e.detailType()));
            return 0;
        }
        Simulator sim;
        ErpEventPublisher publisher;
        try {
            ErpEventPublisher.Builder pb = ErpEventPublisher.builder()
                    .catalog(catalog)
                    .environment(env)
                    .producer("pyerp-simulator");
            if (opts.containsKey("aws")) {
                if (opts.containsKey("endpoint")) throw new UsageException("--aws and --endpoint exclude each other");
                pb.ignoreEnvironmentEndpoint(true);
            } else {
                pb.endpoint(opts.getOrDefault(
                        "endpoint",
                        ErpEventPublisher.endpointFromEnvironment(env).orElse(DEFAULT_ENDPOINT)));
            }
            if (opts.containsKey("bus")) pb.bus(opts.get("bus"));
            if (opts.containsKey("region")) pb.region(opts.get("region"));
            Builder sb = builder();
            if (opts.containsKey("rate")) sb.ratePerSecond(number(opts, "rate"));
            if (opts.containsKey("duration")) sb.duration(duration(opts.get("duration")));
            if (opts.containsKey("count")) sb.maxEvents(integer(opts, "count"));
            if (opts.containsKey("seed")) sb.seed(integer(opts, "seed"));
            if (opts.containsKey("tenant")) sb.tenant(opts.get("tenant"));
            if (opts.containsKey("users")) sb.users(list(opts.get("users")));
            if (opts.containsKey("events")) sb.events(new LinkedHashSet<>(list(opts.get("events"))));
            publisher = pb.build();
            try {
                sim = sb.publisher(publisher).build();
            } catch (RuntimeException e) {
                publisher.close();
                throw e;
            }
        } catch (UsageException | IllegalArgumentException e) {
            err.println("simulator: " + e.getMessage());
            err.println("Try --help.");
            return 2;
        }

        boolean quiet = opts.containsKey("quiet");
        String where = publisher.endpoint().map(Object::toString).orElse("AWS EventBridge");
        err.printf(
                "simulator: %d events at %s/s to %s (bus %s)%n",
                sim.target(), opts.getOrDefault("rate", "5"), where, publisher.bus());
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    sim.stop();
                    try {
                        done.await(3, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                },
                "simulator-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Summary s;
        long[] lastPrint = {0};
        try (publisher) {
            s = sim.run(p -> {
                if (quiet) return;
                long now = System.nanoTime();
                boolean last = p.generated() == p.target();
                if (interactive) {
                    if (now - lastPrint[0] > 200_000_000L || last) {
                        err.print("\r" + p.line() + "   ");
                        err.flush();
                        lastPrint[0] = now;
                    }
                } else if (now - lastPrint[0] > 5_000_000_000L || last) {
                    err.println(p.line());
                    lastPrint[0] = now;
                }
            });
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down (Ctrl-C): the hook is running
            }
        }
        if (interactive && !quiet) err.println();
        out.printf(
                Locale.ROOT,
                "sent %d of %d events in %s (rejected %d, failed %d)%n",
                s.sent(),
                s.generated(),
                clock(s.elapsed()),
                s.rejected(),
                s.failed());
        s.sentByEvent().forEach((k, v) -> out.printf("  %-34s %d%n", k, v));
        if (s.stoppedBecause() != null) err.println("simulator: stopped early: " + s.stoppedBecause());
        for (String e : s.errors()) err.println("simulator: " + e);
        if (s.stoppedBecause() != null
                && s.sent() == 0
                && !opts.containsKey("aws")
                && where.startsWith(DEFAULT_ENDPOINT)) {
            err.println("simulator: is the local gateway running? Start it first, or pass --endpoint.");
        }
        return s.ok() || "stopped".equals(s.stoppedBecause()) && s.failed() == 0 && s.rejected() == 0 ? 0 : 1;
    }

    private static final Set<String> VALUED =
            Set.of("endpoint", "bus", "region", "rate", "duration", "count", "events", "tenant", "users", "seed");
    private static final Set<String> FLAGS = Set.of("aws", "quiet", "list", "help");

    static Map<String, String> parse(String[] args) throws UsageException {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h")) a = "--help";
            if (!a.startsWith("--")) throw new UsageException("unexpected argument '" + a + "'");
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (FLAGS.contains(name)) {
                if (value != null) throw new UsageException("--" + name + " takes no value");
                out.put(name, "true");
            } else if (VALUED.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--"))
                        throw new UsageException("--" + name + " needs a value");
                    value = args[++i];
                }
                if (out.containsKey(name)) throw new UsageException("--" + name + " given twice");
                out.put(name, value);
            } else {
                throw new UsageException("unknown option --" + name);
            }
        }
        return out;
    }

    private static double number(Map<String, String> opts, String name) throws UsageException {
        try {
            return Double.parseDouble(opts.get(name));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + opts.get(name) + "'");
        }
    }

    private static long integer(Map<String, String> opts, String name) throws UsageException {
        try {
            return Long.parseLong(opts.get(name));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, got '" + opts.get(name) + "'");
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    static Duration duration(String v) throws UsageException {
        Matcher m = DURATION.matcher(v.trim());
        if (!m.matches())
            throw new UsageException("--duration must look like 90, 90s, 2m, 1h or 500ms, got '" + v + "'");
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 1000;
        };
        if (millis < 1 || millis > MAX_DURATION.toMillis())
            throw new UsageException("--duration must be more than 0 and at most 1 day, got '" + v + "'");
        return Duration.ofMillis((long) millis);
    }

    private static List<String> list(String v) {
        return Arrays.stream(v.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
