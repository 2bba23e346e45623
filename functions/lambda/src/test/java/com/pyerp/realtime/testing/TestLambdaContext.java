package com.pyerp.realtime.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;

/**
 * A Lambda {@link Context} as the runtime passes one (request id, function name and ARN, 512 MB, 29 s left), for the
 * handler tests and the cold-start runtime simulation. Only aws-lambda-java-core: it also loads in a JVM that has
 * nothing but the shaded deployment jar. (The local gateway's own {@code LocalContext} counts the remaining time down.)
 */
public final class TestLambdaContext implements Context {
    private final String functionName;
    private final String logStreamName;
    private final boolean printLogs;

    private TestLambdaContext(String functionName, String logStreamName, boolean printLogs) {
        this.functionName = functionName;
        this.logStreamName = logStreamName;
        this.printLogs = printLogs;
    }

    /** A context whose logger drops what it is given (the handlers log through their own JSON logger). */
    public static Context silent(String functionName) {
        return new TestLambdaContext(functionName, "2026/11/25/[$LATEST]0123456789abcdef", false);
    }

    /** A context whose logger prints to standard output, as the runtime's does. */
    public static Context printing(String functionName, String logStreamName) {
        return new TestLambdaContext(functionName, logStreamName, true);
    }

    @Override
    public String getAwsRequestId() {
        return "8f5e4d3c-2b1a-4c5d-9e8f-7a6b5c4d3e2f";
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return logStreamName;
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:eu-central-1:123456789012:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return 29_000;
    }

    @Override
    public int getMemoryLimitInMB() {
        return 512;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                if (printLogs) System.out.println(message);
            }

            @Override
            public void log(byte[] message) {
                if (printLogs) System.out.println(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
