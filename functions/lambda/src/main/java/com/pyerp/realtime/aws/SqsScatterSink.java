package com.pyerp.realtime.aws;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.dispatch.ScatterSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * {@link ScatterSink} over the fan-out queue ({@code FANOUT_QUEUE_URL}): one SendMessageBatch per ten page tasks. An
 * entry SQS refuses fails the whole call (the coordinator's event is then retried; pages already sent are
 * deduplicated by the dispatcher on (event, channel, page)). Endpoint override: {@code AWS_ENDPOINT_URL_SQS}.
 */
public final class SqsScatterSink implements ScatterSink, AutoCloseable {
    private final SqsClient sqs;
    private final String queueUrl;

    public SqsScatterSink(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    /** The sink for {@code FANOUT_QUEUE_URL}, or null when scatter is off (the variable is empty). */
    public static SqsScatterSink fromEnv(RealtimeEnv env, Map<String, String> rawEnv) {
        return env.fanOutQueueUrl()
                .map(url -> new SqsScatterSink(
                        SqsClient.builder()
                                .region(Region.of(env.region()))
                                .credentialsProvider(AwsCredentials.of(rawEnv, java.util.Optional.empty()))
                                .httpClientBuilder(UrlConnectionHttpClient.builder()
                                        .connectionTimeout(Duration.ofSeconds(2))
                                        .socketTimeout(Duration.ofSeconds(5)))
                                .build(),
                        url.toString()))
                .orElse(null);
    }

    @Override
    public void enqueue(List<String> pageTasks) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < pageTasks.size(); i++)
            entries.add(SendMessageBatchRequestEntry.builder()
                    .id("p" + i)
                    .messageBody(pageTasks.get(i))
                    .build());
        SendMessageBatchResponse r =
                sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        if (r.hasFailed() && !r.failed().isEmpty())
            throw new IllegalStateException(
                    "the fan-out queue refused " + r.failed().size() + " page tasks: "
                            + r.failed().get(0).code() + " " + r.failed().get(0).message());
    }

    @Override
    public void close() {
        sqs.close();
    }
}
