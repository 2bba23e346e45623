package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A Lambda {@link Context} for running the handlers outside Lambda, as the runtime passes one: request id, function
 * name and ARN, log group and stream, memory, the time left until the deadline, a logger. The local gateway makes one
 * per invocation (a fresh request id, the function's timeout counting down); the handler tests and the cold-start
 * simulation use fixed values. Only aws-lambda-java-core: it also loads in a JVM that has nothing but the shaded jar.
 *
 * @param deadlineMillis epoch milliseconds when the invocation times out; {@link #getRemainingTimeInMillis} counts
 *                       down to it
 * @param printLogs      whether {@link #getLogger()} prints to standard output (as the runtime's does) or drops
 */
public record InvocationContext(
        String awsRequestId,
        String functionName,
        String functionArn,
        String logStreamName,
        int memoryLimitMb,
        long deadlineMillis,
        boolean printLogs)
        implements Context {

    public InvocationContext {
        Objects.requireNonNull(awsRequestId, "awsRequestId");
        Objects.requireNonNull(functionName, "functionName");
        Objects.requireNonNull(functionArn, "functionArn");
        Objects.requireNonNull(logStreamName, "logStreamName");
    }

    @Override
    public String getAwsRequestId() {
        return awsRequestId;
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
        return functionArn;
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
        return (int) Math.max(0, deadlineMillis - System.currentTimeMillis());
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryLimitMb;
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
