package com.pyerp.realtime.core.dispatch;

import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * What the dispatcher may ask of the queue it reads, besides the {@code batchItemFailures} of its answer: send a
 * record to the dead-letter queue at once (an event that can never succeed), or make a record visible again after a
 * short delay (a transient failure retried in seconds, or a coalescing hold until the key's window ends). SQS in the
 * cloud ({@code SqsDispatchQueueControl}: SendMessage to the redrive policy's DLQ, ChangeMessageVisibility), the
 * local gateway's queue mirror locally. A method that cannot do its job throws; the record is then reported as a
 * batch item failure and the queue's own visibility timeout and redrive policy take over.
 */
public interface DispatchQueueControl {
    /** Dead-letters the SQS record (its body unchanged) with the reason. */
    void deadLetter(JsonNode record, String reason);

    /** Makes the SQS record visible again after {@code delay} (whole seconds). */
    void redeliverAfter(JsonNode record, Duration delay);

    /** No control: every failure is left to the queue's visibility timeout and redrive policy. */
    DispatchQueueControl NONE = new DispatchQueueControl() {
        @Override
        public void deadLetter(JsonNode record, String reason) {
            throw new UnsupportedOperationException("no dead-letter queue configured");
        }

        @Override
        public void redeliverAfter(JsonNode record, Duration delay) {
            throw new UnsupportedOperationException("no queue control configured");
        }
    };
}
