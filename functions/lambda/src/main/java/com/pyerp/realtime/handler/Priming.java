package com.pyerp.realtime.handler;

import com.pyerp.realtime.core.log.JsonLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * SnapStart priming: before Lambda takes the snapshot of an initialized function, each registered step runs the hot
 * path once (a real registry read, a real {@code @connections} call, the catalog's schemas compiled, a token checked
 * against the JWKS), so the classes it loads and the code it warms are in the snapshot instead of in the first
 * request. This is the pattern of powertools' {@code DynamoDBPersistenceStore}: a CRaC {@link Resource} whose
 * {@code beforeCheckpoint} primes and ignores every failure, because priming is an optimisation and must never fail a
 * deployment. Without SnapStart (or CRaC) nothing runs: {@code org.crac} is a no-op then.
 */
public final class Priming implements Resource {
    private static final JsonLog LOG = JsonLog.get(Priming.class);
    /** CRaC holds resources weakly; these live as long as the function. */
    private static final List<Priming> REGISTERED = new CopyOnWriteArrayList<>();

    private final String what;
    private final Runnable step;

    private Priming(String what, Runnable step) {
        this.what = what;
        this.step = step;
    }

    /** Registers {@code step} to run before the snapshot; returns nothing, holds it for the function's life. */
    static void register(String what, Runnable step) {
        Priming p = new Priming(what, step);
        REGISTERED.add(p);
        Core.getGlobalContext().register(p);
    }

    /** Runs the step now, ignoring failures (also what {@link #beforeCheckpoint} does). */
    void prime() {
        long start = System.nanoTime();
        try (JsonLog.Scope s = JsonLog.invocation(java.util.Map.of("priming", what))) {
            try {
                step.run();
                LOG.info("primed", "millis", (System.nanoTime() - start) / 1_000_000);
            } catch (RuntimeException e) {
                LOG.info("priming step failed (ignored)", "error", e.getClass().getName());
            }
        }
    }

    /**
     * Runs every registered step now, as the snapshot's {@code beforeCheckpoint} would (CRaC's global context refuses
     * to be driven from outside a checkpoint): the cold-start benchmark uses it to show what priming takes off the first
     * request.
     */
    public static void primeAll() {
        REGISTERED.forEach(Priming::prime);
    }

    /** The steps registered so far, in order (tests). */
    static List<String> registered() {
        return REGISTERED.stream().map(p -> p.what).toList();
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // nothing to renew: clients reconnect on their own, the JWKS cache expires by time
    }
}
