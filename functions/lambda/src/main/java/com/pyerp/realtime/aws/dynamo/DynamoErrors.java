package com.pyerp.realtime.aws.dynamo;

import com.pyerp.realtime.core.registry.RegistryUnavailableException;
import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/** Turns AWS SDK exceptions into the core's {@link RegistryUnavailableException}, with a message that says what to do. */
final class DynamoErrors {
    private DynamoErrors() {}

    static RegistryUnavailableException translate(
            String operation, String table, Optional<URI> endpoint, SdkException e) {
        String where = endpoint.map(u -> "DynamoDB at " + u).orElse("DynamoDB");
        String what = operation + " on table '" + table + "'";
        if (e instanceof ResourceNotFoundException) {
            return new RegistryUnavailableException(
                    where + ": table '" + table + "' does not exist (" + what
                            + "); create it with RegistryTableSetup.createIfMissing or deploy the stack",
                    e);
        }
        if (e instanceof AwsServiceException ase) {
            String code = ase.awsErrorDetails() == null
                    ? ase.getClass().getSimpleName()
                    : ase.awsErrorDetails().errorCode();
            String msg = ase.awsErrorDetails() == null
                    ? ase.getMessage()
                    : ase.awsErrorDetails().errorMessage();
            if (ase.isThrottlingException()) {
                return new RegistryUnavailableException(
                        where + " throttled " + what + " (" + code
                                + ") and retries with backoff did not get through; the command was not applied",
                        e);
            }
            return new RegistryUnavailableException(
                    where + " refused " + what + ": " + code + ": " + msg + " (HTTP " + ase.statusCode() + ")", e);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return new RegistryUnavailableException(
                    where + " did not answer " + what + " in time: " + e.getMessage(), e);
        }
        return new RegistryUnavailableException(where + " is unreachable (" + what + "): " + rootMessage(e), e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t == e ? e.getMessage() : e.getMessage() + " (cause: " + t + ")";
        return m == null ? e.toString() : m;
    }
}
