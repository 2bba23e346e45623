package com.pyerp.realtime.events.publisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.events.EventCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Timeout(60)
class ErpEventPublisherTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private FakeEventBridge bus;
    private ErpEventPublisher publisher;

    @BeforeEach
    void start() throws Exception {
        bus = new FakeEventBridge();
        publisher = publisher(Map.of("AWS_ENDPOINT_URL_EVENTBRIDGE", bus.endpoint()));
    }

    @AfterEach
    void stop() {
        publisher.close();
        bus.close();
    }

    private static ErpEventPublisher publisher(Map<String, String> env) {
        return ErpEventPublisher.builder()
                .environment(env)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
                .build();
    }

    private static ObjectNode example(String name) {
        return (ObjectNode) EventCatalog.readTree(EventCatalog.BASE + "examples/" + name + ".json")
                .deepCopy();
    }

    private static ErpEvent stock(int i) {
        ObjectNode d = example("stock-level-changed");
        d.remove("_meta");
        d.put("onHand", 100 + i);
        return ErpEvent.of("stock-level-changed", d);
    }

    @Test
    void publish_sendsValidEvents_withTheirCorrelationIdInMeta() {
        ObjectNode withOwnMeta = example("order-shipped"); // carries _meta.correlationId already
        List<PublishResult> results = publisher.publish(List.of(
                stock(1).withCorrelationId("req-42").withTime(Instant.parse("2026-11-25T10:15:00Z")),
                ErpEvent.of("order-shipped", withOwnMeta),
                ErpEvent.of("kpi-updated", example("kpi-updated"))));

        assertThat(results).extracting(PublishResult::status).containsOnly(PublishResult.Status.SENT);
        assertThat(results).allSatisfy(r -> assertThat(r.eventId()).isNotBlank());
        assertThat(results).extracting(PublishResult::attempts).containsOnly(1);
        assertThat(results.get(0).correlationId()).isEqualTo("req-42");
        assertThat(results.get(1).correlationId()).isEqualTo("9d2c5c1e-4b8a-4f39-a1a7-0d4b1b2f5e10");
        assertThat(results.get(2).correlationId()).matches("[0-9a-f-]{36}");

        assertThat(bus.calls()).hasSize(1);
        List<JsonNode> sent = bus.entries();
        assertThat(sent)
                .extracting(e -> e.path("Source").asString())
                .containsExactly("pyerp.inventory", "pyerp.sales", "pyerp.production");
        assertThat(sent)
                .extracting(e -> e.path("DetailType").asString())
                .containsExactly("StockLevelChanged", "OrderShipped", "KpiUpdated");
        assertThat(sent).extracting(e -> e.path("EventBusName").asString()).containsOnly("erp-events");
        assertThat(sent.get(0).path("Time").asDouble())
                .isEqualTo(Instant.parse("2026-11-25T10:15:00Z").getEpochSecond());
        for (int i = 0; i < 3; i++) {
            JsonNode detail = JSON.readTree(sent.get(i).path("Detail").asString());
            assertThat(detail.path("_meta").path("correlationId").asString())
                    .isEqualTo(results.get(i).correlationId());
            assertThat(detail.path("_meta").path("producer").asString()).isEqualTo(ErpEventPublisher.DEFAULT_PRODUCER);
            assertThat(EventCatalog.load()
                            .find(
                                    sent.get(i).path("Source").asString(),
                                    sent.get(i).path("DetailType").asString())
                            .orElseThrow()
                            .validate(detail))
                    .isEmpty();
        }
        assertThat(results.get(0).event().detail().has("_meta"))
                .as("the caller's detail is not modified")
                .isFalse();
    }

    @Test
    void invalidEvents_areRejectedWithReasons_andNeverSent() {
        ObjectNode noTenant = example("stock-level-changed");
        noTenant.remove("tenantId");
        ObjectNode badMeta = example("maintenance-notice");
        badMeta.putObject("_meta").put("correlationId", "has spaces");
        List<PublishResult> results = publisher.publish(List.of(
                ErpEvent.of("stock-level-changed", noTenant),
                new ErpEvent("pyerp.inventory", "StockTeleported", example("stock-level-changed"), null, null),
                ErpEvent.of("maintenance-notice", badMeta),
                ErpEvent.of("maintenance-notice", JSON.readTree("[1]")),
                stock(7)));

        assertThat(results)
                .extracting(PublishResult::status)
                .containsExactly(
                        PublishResult.Status.REJECTED,
                        PublishResult.Status.REJECTED,
                        PublishResult.Status.REJECTED,
                        PublishResult.Status.REJECTED,
                        PublishResult.Status.SENT);
        assertThat(results.get(0).errors()).containsExactly("$: required property 'tenantId' not found");
        assertThat(results.get(0).errorCode()).isEqualTo("Invalid");
        assertThat(results.get(0).attempts()).isZero();
        assertThat(results.get(1).errors())
                .containsExactly(
                        "unknown event: source pyerp.inventory with detail-type StockTeleported is not in the event catalog");
        assertThat(results.get(2).errors()).singleElement().asString().startsWith("$._meta.correlationId:");
        assertThat(results.get(3).errors()).containsExactly("$: detail must be a JSON object");
        assertThat(bus.entries()).hasSize(1);
    }

    @Test
    void batches_haveAtMostTenEntries() {
        List<ErpEvent> events = new ArrayList<>();
        for (int i = 0; i < 25; i++) events.add(stock(i));
        List<PublishResult> results = publisher.publish(events);
        assertThat(results).allMatch(PublishResult::sent);
        assertThat(bus.calls()).extracting(c -> c.entries().size()).containsExactly(10, 10, 5);
        // results come back in input order
        for (int i = 0; i < 25; i++) {
            JsonNode detail = JSON.readTree(bus.entries().get(i).path("Detail").asString());
            assertThat(detail.path("onHand").asInt()).isEqualTo(100 + i);
            assertThat(results.get(i).correlationId())
                    .isEqualTo(detail.path("_meta").path("correlationId").asString());
        }
    }

    @Test
    void batches_stayUnderTheSizeLimit() {
        // the catalog caps an order at 500 lines, so ten of the largest fit one 1 MB call; the cut on bytes is
        // batches_cutOnCountAndBytes
        List<ErpEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) events.add(ErpEvent.of("order-created", bigOrder(i)));
        List<PublishResult> results = publisher.publish(events);
        assertThat(results).allMatch(PublishResult::sent);
        assertThat(bus.calls())
                .allSatisfy(c -> assertThat(c.bodyBytes()).isLessThanOrEqualTo(EventBridgeLimits.MAX_BYTES));
        assertThat(bus.entries()).hasSize(10);
    }

    /** An order of 500 lines: about 40 KB of detail. */
    private static ObjectNode bigOrder(int i) {
        ObjectNode d = example("order-created");
        d.put("orderId", "SO-" + i);
        ArrayNode lines = d.putArray("lines");
        for (int n = 1; n <= 500; n++) {
            lines.addObject()
                    .put("lineNo", n)
                    .put("sku", "SKU-" + (1000 + n))
                    .put("quantity", n)
                    .put("unitPrice", 12.5);
        }
        return d;
    }

    @Test
    void partialFailure_retriesOnlyTheFailedEntries() {
        // every other entry is throttled on its first attempt
        AtomicInteger seen = new AtomicInteger();
        bus.failWith(
                (entry, attempt) -> attempt == 1 && seen.getAndIncrement() % 2 == 0 ? "ThrottlingException" : null);
        List<ErpEvent> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) events.add(stock(i));

        List<PublishResult> results = publisher.publish(events);

        assertThat(results).allMatch(PublishResult::sent);
        assertThat(results).extracting(PublishResult::attempts).containsExactly(2, 1, 2, 1, 2, 1);
        assertThat(bus.calls()).extracting(c -> c.entries().size()).containsExactly(6, 3);
        List<String> retried = bus.calls().get(1).entries().stream()
                .map(e -> e.path("Detail").asString())
                .toList();
        List<String> firstOfFailed = List.of(0, 2, 4).stream()
                .map(i -> bus.calls().get(0).entries().get(i).path("Detail").asString())
                .toList();
        assertThat(retried).isEqualTo(firstOfFailed);
    }

    @Test
    void nonRetryableErrors_failAtOnce_retryableOnesAfterMaxAttempts() {
        bus.failWith((entry, attempt) -> entry.path("Detail").asString().contains("\"onHand\":101")
                ? "AccessDeniedException"
                : entry.path("Detail").asString().contains("\"onHand\":102") ? "InternalFailure" : null);
        List<PublishResult> results = publisher.publish(List.of(stock(0), stock(1), stock(2)));

        assertThat(results.get(0).sent()).isTrue();
        assertThat(results.get(1).status()).isEqualTo(PublishResult.Status.FAILED);
        assertThat(results.get(1).errorCode()).isEqualTo("AccessDeniedException");
        assertThat(results.get(1).errors()).containsExactly("the fake says AccessDeniedException");
        assertThat(results.get(1).attempts()).isEqualTo(1);
        assertThat(results.get(2).status()).isEqualTo(PublishResult.Status.FAILED);
        assertThat(results.get(2).errorCode()).isEqualTo("InternalFailure");
        assertThat(results.get(2).attempts()).isEqualTo(3);
        assertThat(bus.calls()).extracting(c -> c.entries().size()).containsExactly(3, 1, 1);
    }

    @Test
    void aFailedCall_failsItsEntries_withTheSdkError() {
        bus.failWholeCallsWith(400);
        List<PublishResult> results = publisher.publish(List.of(stock(0), stock(1)));
        assertThat(results).extracting(PublishResult::status).containsOnly(PublishResult.Status.FAILED);
        assertThat(results).extracting(PublishResult::errorCode).containsOnly("EventBridgeException");
        assertThat(results.get(0).errors()).singleElement().asString().contains("the fake refuses this call");
    }

    @Test
    void endpoint_comesFromTheExplicitSetting_thenEventBridgeVariable_thenGenericVariable() throws Exception {
        try (FakeEventBridge other = new FakeEventBridge();
                ErpEventPublisher generic = publisher(Map.of("AWS_ENDPOINT_URL", other.endpoint()));
                ErpEventPublisher specific = publisher(Map.of(
                        "AWS_ENDPOINT_URL", "http://127.0.0.1:9", "AWS_ENDPOINT_URL_EVENTBRIDGE", bus.endpoint()));
                ErpEventPublisher explicit = ErpEventPublisher.builder()
                        .endpoint(other.endpoint())
                        .environment(Map.of("AWS_ENDPOINT_URL_EVENTBRIDGE", "http://127.0.0.1:9"))
                        .build()) {
            assertThat(generic.publish(stock(1)).sent()).isTrue();
            assertThat(specific.publish(stock(2)).sent()).isTrue();
            assertThat(explicit.publish(stock(3)).sent()).isTrue();
            assertThat(other.entries()).hasSize(2);
            assertThat(bus.entries()).hasSize(1);
            assertThat(explicit.endpoint()).contains(java.net.URI.create(other.endpoint()));
        }
    }

    @Test
    void withAnEndpointOverrideAndNoCredentials_dummyCredentialsSignTheCall() {
        Assumptions.assumeTrue(
                System.getenv("AWS_ACCESS_KEY_ID") == null
                        && System.getProperty("aws.accessKeyId") == null
                        && !Files.exists(Path.of(System.getProperty("user.home"), ".aws", "credentials"))
                        && !Files.exists(Path.of(System.getProperty("user.home"), ".aws", "config")),
                "this machine has AWS credentials");
        assertThat(publisher.publish(stock(1)).sent()).isTrue();
        assertThat(bus.calls().get(0).authorization())
                .contains("Credential=local/")
                .contains("/us-east-1/events/aws4_request");
    }

    @Test
    void builder_explainsBadSettings() {
        assertThatThrownBy(() -> ErpEventPublisher.builder()
                        .environment(Map.of("AWS_ENDPOINT_URL_EVENTBRIDGE", "localhost:8080"))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "AWS_ENDPOINT_URL_EVENTBRIDGE / AWS_ENDPOINT_URL must be an http(s) URL such as http://localhost:8080, got 'localhost:8080'");
        assertThatThrownBy(() -> ErpEventPublisher.builder().endpoint("ftp://x").build())
                .hasMessage("endpoint must be an http(s) URL such as http://localhost:8080, got 'ftp://x'");
        assertThatThrownBy(() -> ErpEventPublisher.builder()
                        .endpoint(bus.endpoint())
                        .region("Europe")
                        .build())
                .hasMessage("region must look like eu-central-1, got 'Europe'");
        assertThatThrownBy(() -> ErpEventPublisher.builder()
                        .endpoint(bus.endpoint())
                        .bus("my bus")
                        .build())
                .hasMessageStartingWith("bus must be an event bus name or ARN");
        assertThatThrownBy(() -> ErpEventPublisher.builder()
                        .endpoint(bus.endpoint())
                        .maxAttempts(0)
                        .build())
                .hasMessage("maxAttempts must be 1..10, got 0");
        assertThatThrownBy(() -> ErpEvent.of("stock-teleported", JSON.createObjectNode()))
                .hasMessage("no event named 'stock-teleported' in the catalog");
    }

    @Test
    void entrySize_followsEventBridgesFormula() {
        PutEventsRequestEntry e = PutEventsRequestEntry.builder()
                .source("pyerp.sales")
                .detailType("Ü")
                .detail("{\"a\":\"é\"}")
                .resources("arn:x")
                .time(Instant.EPOCH)
                .build();
        assertThat(ErpEventPublisher.entrySize(e)).isEqualTo(14 + 11 + 2 + 10 + 5);
        assertThat(ErpEventPublisher.requestBytes(e)).isGreaterThan(ErpEventPublisher.entrySize(e));
    }

    @Test
    void batches_cutOnCountAndBytes() {
        // 400000 + 400000 + 280000 > 1 MB; then ten entries; an entry over the limit travels alone
        assertThat(EventBridgeLimits.MAX_BYTES).isEqualTo(1024 * 1024);
        List<Integer> sizes = List.of(400_000, 400_000, 280_000, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1_200_000, 5);
        List<List<Integer>> b = ErpEventPublisher.batches(sizes, Integer::intValue);
        assertThat(b)
                .containsExactly(
                        List.of(400_000, 400_000),
                        List.of(280_000, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                        List.of(1),
                        List.of(1_200_000),
                        List.of(5));
    }
}
