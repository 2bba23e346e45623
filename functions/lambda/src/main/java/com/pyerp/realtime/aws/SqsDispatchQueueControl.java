package com.pyerp.realtime.aws;

import com.pyerp.realtime.core.dispatch.DispatchQueueControl;
import com.pyerp.realtime.events.Json;
import com.pyerp.realtime.events.Lazy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import tools.jackson.databind.JsonNode;

/**
 * {@link DispatchQueueControl} over SQS, for the queue a record came from ({@code eventSourceARN}): dead letters go to
 * the queue its redrive policy names (read once with GetQueueAttributes, so the stack's wiring is the one truth; the
 * dispatcher's role may SendMessage to that DLQ only), with the reason in the message attributes; a shorter
 * visibility is ChangeMessageVisibility on the record's receipt handle. The SQS client is built on first use (most
 * invocations never need it) and honours {@code AWS_ENDPOINT_URL_SQS}.
 */
public final class SqsDispatchQueueControl implements DispatchQueueControl, AutoCloseable {
    /** SQS's largest message attribute value is far larger, but a reason longer than this helps no one. */
    private static final int MAX_REASON_CHARS = 1024;

    private final Lazy<SqsClient> client;
    private final Map<String, String> urlByArn = new ConcurrentHashMap<>();
    private final Map<String, String> dlqUrlBySourceArn = new ConcurrentHashMap<>();

    public SqsDispatchQueueControl(Supplier<SqsClient> clientFactory) {
        this.client = new Lazy<>(clientFactory);
    }

    /** The default: the function's region and credentials, the light HTTP client. */
    public static SqsDispatchQueueControl fromSystem() {
        return new SqsDispatchQueueControl(() -> SqsClient.builder()
                .credentialsProvider(AwsCredentials.of(System.getenv(), java.util.Optional.empty()))
                .httpClient(UrlConnectionHttpClient.create())
                .build());
    }

    private SqsClient client() {
        return client.get();
    }

    @Override
    public void deadLetter(JsonNode record, String reason) {
        String sourceArn = record.path("eventSourceARN").asString();
        String dlqUrl = dlqUrlBySourceArn.computeIfAbsent(sourceArn, this::deadLetterQueueUrl);
        String r = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
        call(() -> client().sendMessage(b -> b.queueUrl(dlqUrl)
                .messageBody(record.path("body").asString())
                .messageAttributes(Map.of(
                        "DeadLetterReason", text(r),
                        "SourceMessageId", text(record.path("messageId").asString()),
                        "SourceQueueArn", text(sourceArn)))));
    }

    @Override
    public void redeliverAfter(JsonNode record, Duration delay) {
        String url = queueUrl(record.path("eventSourceARN").asString());
        int seconds = (int) Math.min(43_200, Math.max(0, delay.toSeconds()));
        call(() -> client().changeMessageVisibility(b -> b.queueUrl(url)
                .receiptHandle(record.path("receiptHandle").asString())
                .visibilityTimeout(seconds)));
    }

    /** The URL of the DLQ in the source queue's redrive policy. */
    private String deadLetterQueueUrl(String sourceArn) {
        String policy = call(() -> client().getQueueAttributes(
                                b -> b.queueUrl(queueUrl(sourceArn)).attributeNames(QueueAttributeName.REDRIVE_POLICY)))
                .attributes()
                .get(QueueAttributeName.REDRIVE_POLICY);
        if (policy == null) throw new IllegalStateException("queue " + sourceArn + " has no redrive policy (no DLQ)");
        String dlqArn =
                Json.mapper().readTree(policy).path("deadLetterTargetArn").asString();
        if (dlqArn.isEmpty()) throw new IllegalStateException("redrive policy of " + sourceArn + " names no DLQ");
        return queueUrl(dlqArn);
    }

    /** arn:aws:sqs:{region}:{account}:{name} to its URL (GetQueueUrl, once per queue: right for any endpoint). */
    private String queueUrl(String arn) {
        return urlByArn.computeIfAbsent(arn, a -> {
            String[] parts = a.split(":", 6);
            if (parts.length != 6 || !parts[2].equals("sqs"))
                throw new IllegalArgumentException("not an SQS queue ARN: " + a);
            return call(() -> client().getQueueUrl(b -> b.queueName(parts[5]).queueOwnerAWSAccountId(parts[4])))
                    .queueUrl();
        });
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder()
                .dataType("String")
                .stringValue(value.isEmpty() ? "-" : value)
                .build();
    }

    private static <T> T call(Supplier<T> c) {
        try {
            return c.get();
        } catch (SdkException e) {
            throw new IllegalStateException("SQS call failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        client.ifBuilt(SqsClient::close);
    }
}
