package com.pyerp.realtime.local;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The local gateway's settings (from the command line). Immutable; {@link #builder()} holds the defaults
 * and {@link Builder#build()} validates with a clear message.
 */
record LocalGatewayConfig(
        String host,
        int port,
        String stage,
        String bus,
        String region,
        Registry registry,
        List<String> extraOrigins,
        Path keyFile,
        boolean demo,
        double demoRate,
        java.util.Map<String, String> processEnv,
        List<String> allowedHosts,
        java.time.Duration sessionSweep,
        java.time.Duration idleTimeout,
        java.time.Duration maxConnectionDuration,
        boolean requireSigV4) {
    static final String ACCOUNT = "000000000000";
    /** API Gateway's idle connection timeout (WebSocket API quotas). */
    static final java.time.Duration AWS_IDLE_TIMEOUT = java.time.Duration.ofMinutes(10);
    /** API Gateway's maximum connection duration for WebSocket APIs. */
    static final java.time.Duration AWS_MAX_CONNECTION_DURATION = java.time.Duration.ofHours(2);

    enum Registry {
        MEMORY,
        DYNAMODB
    }

    LocalGatewayConfig {
        Objects.requireNonNull(stage);
        extraOrigins = List.copyOf(extraOrigins);
        processEnv = java.util.Map.copyOf(processEnv);
        allowedHosts = List.copyOf(allowedHosts);
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        String host = "127.0.0.1";
        int port = 8080;
        String stage = "local";
        String bus = com.pyerp.realtime.events.EventCatalog.load().bus();
        String region = envOr("AWS_REGION", "us-east-1");
        Registry registry = Registry.MEMORY;
        List<String> extraOrigins = List.of();
        Path keyFile = Path.of(System.getProperty("user.home"), ".pyerp-realtime", "dev-signing-key.jwk");
        boolean demo;
        double demoRate = 1.0;
        java.util.Map<String, String> processEnv = System.getenv();
        List<String> allowedHosts = List.of();
        java.time.Duration sessionSweep = com.pyerp.realtime.core.session.SessionGuard.SWEEP_INTERVAL;

        /** Host header values accepted besides loopback ones (DNS-rebinding protection), e.g. a LAN name. */
        Builder allowedHosts(List<String> v) {
            allowedHosts = v;
            return this;
        }

        /** How often the session sweep runs (default: the stack's schedule; tests shorten it). */
        Builder sessionSweep(java.time.Duration v) {
            sessionSweep = v;
            return this;
        }

        java.time.Duration idleTimeout = AWS_IDLE_TIMEOUT;
        java.time.Duration maxConnectionDuration = AWS_MAX_CONNECTION_DURATION;
        boolean requireSigV4;

        Builder host(String v) {
            host = v;
            return this;
        }

        Builder port(int v) {
            port = v;
            return this;
        }

        Builder stage(String v) {
            stage = v;
            return this;
        }

        Builder bus(String v) {
            bus = v;
            return this;
        }

        Builder region(String v) {
            region = v;
            return this;
        }

        Builder registry(Registry v) {
            registry = v;
            return this;
        }

        Builder extraOrigins(List<String> v) {
            extraOrigins = v;
            return this;
        }

        Builder keyFile(Path v) {
            keyFile = v;
            return this;
        }

        Builder demo(boolean v) {
            demo = v;
            return this;
        }

        Builder demoRate(double v) {
            demoRate = v;
            return this;
        }
        /** The environment overrides are read from (the process environment; tests pass their own). */
        Builder processEnv(java.util.Map<String, String> v) {
            processEnv = v;
            return this;
        }

        Builder idleTimeout(java.time.Duration v) {
            idleTimeout = v;
            return this;
        }

        Builder maxConnectionDuration(java.time.Duration v) {
            maxConnectionDuration = v;
            return this;
        }

        Builder requireSigV4(boolean v) {
            requireSigV4 = v;
            return this;
        }

        LocalGatewayConfig build() {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0..65535, got " + port);
            if (!stage.matches("[A-Za-z0-9_-]{1,128}"))
                throw new IllegalArgumentException(
                        "--stage must be 1-128 characters [A-Za-z0-9_-], got '" + stage + "'");
            if (!bus.matches("[A-Za-z0-9._-]{1,256}"))
                throw new IllegalArgumentException("--bus must be 1-256 characters [A-Za-z0-9._-], got '" + bus + "'");
            if (!(demoRate > 0 && demoRate <= 1000))
                throw new IllegalArgumentException(
                        "--demo-rate must be in (0, 1000] events per second, got " + demoRate);
            for (String o : extraOrigins) {
                if (!o.matches("https?://[^/\\s]+"))
                    throw new IllegalArgumentException(
                            "--origin must be scheme://host[:port] without a path, got '" + o + "'");
            }
            for (String h : allowedHosts) {
                if (!h.matches("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]+\\]"))
                    throw new IllegalArgumentException(
                            "--allow-host must be a host name without port, got '" + h + "'");
            }
            if (sessionSweep.isNegative() || sessionSweep.isZero())
                throw new IllegalArgumentException("the session sweep interval must be positive");
            if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.compareTo(AWS_IDLE_TIMEOUT) > 0)
                throw new IllegalArgumentException(
                        "--idle-timeout must be 1-600 seconds (API Gateway's 10 min at most), got "
                                + idleTimeout.toSeconds());
            if (maxConnectionDuration.isNegative()
                    || maxConnectionDuration.isZero()
                    || maxConnectionDuration.compareTo(AWS_MAX_CONNECTION_DURATION) > 0)
                throw new IllegalArgumentException(
                        "--max-duration must be 1-7200 seconds (API Gateway's 2 h at most), got "
                                + maxConnectionDuration.toSeconds());
            return new LocalGatewayConfig(
                    host,
                    port,
                    stage,
                    bus,
                    region,
                    registry,
                    extraOrigins,
                    keyFile,
                    demo,
                    demoRate,
                    processEnv,
                    allowedHosts,
                    sessionSweep,
                    idleTimeout,
                    maxConnectionDuration,
                    requireSigV4);
        }

        private static String envOr(String name, String dflt) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? dflt : v;
        }
    }
}
