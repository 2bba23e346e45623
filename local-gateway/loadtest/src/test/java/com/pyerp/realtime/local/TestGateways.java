package com.pyerp.realtime.local;

import java.nio.file.Path;

/** Starts a local gateway on port 0 for the load-test tool's tests (the config builder is package-private). */
public final class TestGateways {
    private TestGateways() {}

    /** A gateway on 127.0.0.1, port 0, whose development signing key is (created in) {@code keyFile}. */
    public static LocalGateway start(Path keyFile) throws Exception {
        return LocalGateway.start(
                LocalGatewayConfig.builder().port(0).keyFile(keyFile).build());
    }
}
