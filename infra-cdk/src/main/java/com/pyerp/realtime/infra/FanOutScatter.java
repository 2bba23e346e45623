package com.pyerp.realtime.infra;

import com.pyerp.realtime.core.dispatch.DispatchBuffer;
import com.pyerp.realtime.core.dispatch.FanOutPages;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSourceProps;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * Scatter of large channels ({@link FanOutPages}): the fan-out queue of page tasks, which the dispatcher both sends to
 * (the coordinator of a channel larger than a page, {@code FANOUT_QUEUE_URL}) and consumes (one page task per
 * invocation, up to {@link FanOutPages#MAX_CONCURRENCY} invocations at once, partial batch responses), with a
 * dead-letter queue after {@link DispatchBuffer#MAX_RECEIVE_COUNT} receives. Page tasks are short-lived: a page that
 * is minutes late is no live update, so the queue keeps them one hour.
 */
public final class FanOutScatter extends Construct {
    /** One page task per invocation: pages are the unit of parallelism. */
    public static final int BATCH_SIZE = 1;
    /** How long a page task waits to be received before it expires. */
    public static final Duration RETENTION = Duration.hours(1);

    private final Queue queue;
    private final Queue dlq;

    public FanOutScatter(Construct scope, String id, Duration consumerTimeout) {
        super(scope, id);
        dlq = Queue.Builder.create(this, "Dlq")
                .retentionPeriod(EventRouting.DLQ_RETENTION)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        queue = Queue.Builder.create(this, "Queue")
                .retentionPeriod(RETENTION)
                // AWS's guidance for SQS event sources: six times the consumer's timeout
                .visibilityTimeout(
                        Duration.seconds(6 * consumerTimeout.toSeconds().longValue()))
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .deadLetterQueue(DeadLetterQueue.builder()
                        .queue(dlq)
                        .maxReceiveCount(DispatchBuffer.MAX_RECEIVE_COUNT)
                        .build())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
    }

    /**
     * The dispatcher consumes the page tasks (the event source mapping grants it the consume actions) and may send
     * them (SendMessage, which SendMessageBatch needs, on this queue only).
     */
    public void connect(IFunction dispatcher) {
        queue.grantSendMessages(dispatcher);
        dispatcher.addEventSource(new SqsEventSource(
                queue,
                SqsEventSourceProps.builder()
                        .batchSize(BATCH_SIZE)
                        .reportBatchItemFailures(true)
                        .maxConcurrency(FanOutPages.MAX_CONCURRENCY)
                        .build()));
    }

    public Queue queue() {
        return queue;
    }

    public Queue dlq() {
        return dlq;
    }
}
