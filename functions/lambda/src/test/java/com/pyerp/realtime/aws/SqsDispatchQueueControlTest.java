package com.pyerp.realtime.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The SQS adapter of the dispatcher's queue control, with the real SDK client (AWS JSON protocol) over a recording
 * transport that answers like SQS: which calls it makes, to which queue, with what.
 */
class SqsDispatchQueueControlTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String BUFFER_ARN = "arn:aws:sqs:eu-central-1:123456789012:dispatch-buffer";
    private static final String DLQ_ARN = "arn:aws:sqs:eu-central-1:123456789012:dispatch-dlq";

    private record Call(String target, JsonNode body) {}

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private volatile String redrivePolicy = "{\"deadLetterTargetArn\":\"" + DLQ_ARN + "\",\"maxReceiveCount\":5}";
    private SqsDispatchQueueControl control = new SqsDispatchQueueControl(() -> SqsClient.builder()
            .region(Region.EU_CENTRAL_1)
            .endpointOverride(URI.create("https://sqs.eu-central-1.amazonaws.com"))
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")))
            .httpClient(new FakeSqs())
            // the fake does not compute SQS's MD5 of the message attributes; the adapter's calls are under test here
            .checksumValidationEnabled(false)
            .build());

    @AfterEach
    void close() {
        control.close();
    }

    private static JsonNode record(String messageId, String body) {
        ObjectNode r = JSON.createObjectNode();
        r.put("messageId", messageId);
        r.put("receiptHandle", "rh-" + messageId);
        r.put("body", body);
        r.put("eventSourceARN", BUFFER_ARN);
        return r;
    }

    @Test
    void deadLetter_sendsTheBodyUnchanged_toTheDlqOfTheRedrivePolicy_withTheReason() {
        control.deadLetter(record("m1", "{\"id\":\"ev-1\"}"), "schema validation failed: sku is required");
        control.deadLetter(record("m2", "{\"id\":\"ev-2\"}"), "unknown event type");

        List<String> targets = calls.stream().map(Call::target).toList();
        assertThat(targets)
                .as("the DLQ is looked up once, through the buffer's redrive policy")
                .containsExactly(
                        "AmazonSQS.GetQueueUrl",
                        "AmazonSQS.GetQueueAttributes",
                        "AmazonSQS.GetQueueUrl",
                        "AmazonSQS.SendMessage",
                        "AmazonSQS.SendMessage");
        JsonNode send = calls.get(3).body();
        assertThat(send.path("QueueUrl").asString())
                .isEqualTo("https://sqs.eu-central-1.amazonaws.com/123456789012/dispatch-dlq");
        assertThat(send.path("MessageBody").asString()).isEqualTo("{\"id\":\"ev-1\"}");
        assertThat(send.path("MessageAttributes")
                        .path("DeadLetterReason")
                        .path("StringValue")
                        .asString())
                .isEqualTo("schema validation failed: sku is required");
        assertThat(send.path("MessageAttributes")
                        .path("SourceMessageId")
                        .path("StringValue")
                        .asString())
                .isEqualTo("m1");
        assertThat(calls.get(1).body().path("QueueUrl").asString())
                .isEqualTo("https://sqs.eu-central-1.amazonaws.com/123456789012/dispatch-buffer");
    }

    @Test
    void redeliverAfter_changesTheRecordsVisibility_inWholeSeconds() {
        control.redeliverAfter(record("m1", "{}"), Duration.ofSeconds(2));

        Call change = calls.get(calls.size() - 1);
        assertThat(change.target()).isEqualTo("AmazonSQS.ChangeMessageVisibility");
        assertThat(change.body().path("ReceiptHandle").asString()).isEqualTo("rh-m1");
        assertThat(change.body().path("VisibilityTimeout").asInt()).isEqualTo(2);
        assertThat(change.body().path("QueueUrl").asString()).endsWith("/123456789012/dispatch-buffer");
    }

    @Test
    void deadLetter_throws_whenTheQueueHasNoRedrivePolicy_soTheCallerListsTheRecordInstead() {
        redrivePolicy = null;

        assertThatThrownBy(() -> control.deadLetter(record("m1", "{}"), "invalid"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no redrive policy");
        assertThat(calls).noneMatch(c -> c.target().equals("AmazonSQS.SendMessage"));
    }

    /** Answers the four SQS operations the adapter uses, as SQS's JSON protocol does. */
    private final class FakeSqs implements SdkHttpClient {
        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() throws java.io.IOException {
                    String target = request.httpRequest()
                            .firstMatchingHeader("X-Amz-Target")
                            .orElse("");
                    JsonNode body;
                    try (InputStream in =
                            request.contentStreamProvider().orElseThrow().newStream()) {
                        body = JSON.readTree(in.readAllBytes());
                    }
                    calls.add(new Call(target, body));
                    ObjectNode out = JSON.createObjectNode();
                    switch (target) {
                        case "AmazonSQS.GetQueueUrl" ->
                            out.put(
                                    "QueueUrl",
                                    "https://sqs.eu-central-1.amazonaws.com/"
                                            + body.path("QueueOwnerAWSAccountId")
                                                    .asString() + "/"
                                            + body.path("QueueName").asString());
                        case "AmazonSQS.GetQueueAttributes" -> {
                            ObjectNode attrs = out.putObject("Attributes");
                            if (redrivePolicy != null) attrs.put("RedrivePolicy", redrivePolicy);
                        }
                        case "AmazonSQS.SendMessage" -> out.put("MessageId", "dlq-" + calls.size());
                        default -> {}
                    }
                    byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder()
                                    .statusCode(200)
                                    .putHeader("Content-Type", "application/x-amz-json-1.0")
                                    .putHeader("Content-Length", Integer.toString(bytes.length))
                                    .build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes)))
                            .build();
                }

                @Override
                public void abort() {}
            };
        }

        @Override
        public void close() {}
    }
}
