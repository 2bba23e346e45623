package com.pyerp.realtime.infra;

import java.util.List;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.DestinationConfig;
import software.amazon.awscdk.services.lambda.DestinationOptions;
import software.amazon.awscdk.services.lambda.IDestination;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * An SQS queue as a Lambda async-invocation destination, granting the function {@code sqs:SendMessage} on that queue
 * and nothing else (the stock {@code SqsDestination} also grants GetQueueAttributes and GetQueueUrl, which Lambda does
 * not use to deliver invocation records). The queue uses SSE-SQS, so no KMS permission is needed.
 */
final class SendOnlyQueueDestination implements IDestination {
    private final IQueue queue;

    SendOnlyQueueDestination(IQueue queue) {
        this.queue = queue;
    }

    @Override
    public DestinationConfig bind(Construct scope, IFunction fn, DestinationOptions options) {
        fn.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("sqs:SendMessage"))
                .resources(List.of(queue.getQueueArn()))
                .build());
        return DestinationConfig.builder().destination(queue.getQueueArn()).build();
    }

    @Override
    public DestinationConfig bind(Construct scope, IFunction fn) {
        return bind(scope, fn, null);
    }
}
