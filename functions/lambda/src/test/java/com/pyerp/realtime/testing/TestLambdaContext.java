package com.pyerp.realtime.testing;

import com.amazonaws.services.lambda.runtime.Context;
import com.pyerp.realtime.handler.InvocationContext;

/**
 * Lambda contexts as the runtime passes them (a fixed request id, function name and ARN, 512 MB, 29 s left), for the
 * handler tests and the cold-start runtime simulation.
 */
public final class TestLambdaContext {
    private static final String REQUEST_ID = "8f5e4d3c-2b1a-4c5d-9e8f-7a6b5c4d3e2f";

    private TestLambdaContext() {}

    /** A context whose logger drops what it is given (the handlers log through their own JSON logger). */
    public static Context silent(String functionName) {
        return context(functionName, "2026/11/25/[$LATEST]0123456789abcdef", false);
    }

    /** A context whose logger prints to standard output, as the runtime's does. */
    public static Context printing(String functionName, String logStreamName) {
        return context(functionName, logStreamName, true);
    }

    private static Context context(String functionName, String logStreamName, boolean printLogs) {
        return new InvocationContext(
                REQUEST_ID,
                functionName,
                "arn:aws:lambda:eu-central-1:123456789012:function:" + functionName,
                logStreamName,
                512,
                System.currentTimeMillis() + 29_000,
                printLogs);
    }
}
