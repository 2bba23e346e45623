package com.pyerp.realtime.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.aws.ApiGatewayManagementSender;
import com.pyerp.realtime.aws.dynamo.DynamoDbConnectionRegistry;
import com.pyerp.realtime.aws.dynamo.RegistryTableSetup;
import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.dispatch.Dispatcher;
import com.pyerp.realtime.core.registry.Connection;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.handler.DispatcherHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiAsyncClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The delivery path on LocalStack's EventBridge and SQS: the catalog's rules (the patterns the CDK stack deploys)
 * on the bus, targeting an SQS dispatch queue; PutEvents; the queue's messages, as the SQS event source hands
 * them to the dispatcher, go through the real {@link DispatcherHandler} with the DynamoDB registry on LocalStack;
 * the posts land on an {@code @connections} stand-in (a loopback HTTP server) through the real
 * {@code ApiGatewayManagementApiClient}.
 */
@ExtendWith(LocalStackDocker.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LocalStackEventRoutingTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final EventCatalog CATALOG = EventCatalog.load();
    private static EventBridgeClient events;
    private static SqsClient sqs;
    private static HttpServer connections;
    private static final Map<String, List<JsonNode>> POSTED = new ConcurrentHashMap<>();
    private static String queueUrl;

    @BeforeAll
    static void setUp() throws Exception {
        URI edge = LocalStackDocker.endpoint();
        events = EventBridgeClient.builder()
                .endpointOverride(edge)
                .region(LocalStackDocker.REGION)
                .credentialsProvider(LocalStackDocker.CREDENTIALS)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        sqs = SqsClient.builder()
                .endpointOverride(edge)
                .region(LocalStackDocker.REGION)
                .credentialsProvider(LocalStackDocker.CREDENTIALS)
                .httpClient(UrlConnectionHttpClient.create())
                .build();

        queueUrl = sqs.createQueue(q -> q.queueName("pyerp-dispatch-it")).queueUrl();
        String queueArn = sqs.getQueueAttributes(a -> a.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes()
                .get(QueueAttributeName.QUEUE_ARN);
        sqs.setQueueAttributes(a -> a.queueUrl(queueUrl)
                .attributes(Map.of(
                        QueueAttributeName.POLICY,
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                                + "{\"Service\":\"events.amazonaws.com\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\""
                                + queueArn + "\"}]}")));
        try {
            events.createEventBus(b -> b.name(CATALOG.bus()));
        } catch (ResourceAlreadyExistsException alreadyThere) {
            // a previous class in this run created it
        }
        for (var rule : CATALOG.rulePatterns().entrySet()) {
            events.putRule(
                    r -> r.name(rule.getKey()).eventBusName(CATALOG.bus()).eventPattern(rule.getValue()));
            events.putTargets(t -> t.rule(rule.getKey())
                    .eventBusName(CATALOG.bus())
                    .targets(tg -> tg.id("dispatch-queue").arn(queueArn)));
        }

        connections = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        connections.createContext("/it/@connections/", exchange -> {
            String id = exchange.getRequestURI().getPath().substring("/it/@connections/".length());
            byte[] body = exchange.getRequestBody().readAllBytes();
            POSTED.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(JSON.readTree(body));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        connections.start();
    }

    @AfterAll
    static void tearDown() {
        if (connections != null) connections.stop(0);
        if (events != null) events.close();
        if (sqs != null) sqs.close();
    }

    @Test
    void catalogEvents_shouldReachTheQueueByTheRules_andTheDispatcherShouldPostThemToSubscribers() throws Exception {
        var dynamo = LocalStackRegistryContractTest.client();
        RegistryTableSetup.createIfMissing(dynamo, "route-connections", "route-subscriptions");
        var registry = DynamoDbConnectionRegistry.builder()
                .client(dynamo)
                .connectionsTable("route-connections")
                .subscriptionsTable("route-subscriptions")
                .build();
        Instant now = Instant.now();
        registry.register(new Connection(
                "c-stock",
                new Principal("clerk", "acme", Set.of("inventory:read"), Map.of("warehouses", Set.of("WH-1"))),
                now,
                now.plusSeconds(3600)));
        registry.register(new Connection(
                "c-broadcast", new Principal("visitor", "acme", Set.of(), Map.of()), now, now.plusSeconds(3600)));
        registry.subscribe("c-stock", "acme/inventory.warehouse.WH-1", now);
        registry.subscribe("c-broadcast", "acme/system.broadcast", now);

        PutEventsResponse put = events.putEvents(p -> p.entries(
                entry("pyerp.inventory", "StockLevelChanged", "examples/stock-level-changed.json"),
                entry("pyerp.system", "MaintenanceNotice", "examples/maintenance-notice.json"),
                // no rule selects this one: it must not reach the queue
                PutEventsRequestEntry.builder()
                        .eventBusName(CATALOG.bus())
                        .source("pyerp.unknown")
                        .detailType("Whatever")
                        .detail("{\"tenantId\":\"acme\"}")
                        .build()));
        assertThat(put.failedEntryCount()).isZero();

        List<Message> received = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received.size() < 2 && System.nanoTime() < deadline) {
            received.addAll(sqs.receiveMessage(
                            r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(5))
                    .messages());
        }
        // anything else (the unknown event) would arrive within another short poll
        received.addAll(
                sqs.receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(2)).messages());
        assertThat(received)
                .extracting(m -> JSON.readTree(m.body()).path("detail-type").asString())
                .containsExactlyInAnyOrder("StockLevelChanged", "MaintenanceNotice");

        ObjectNode sqsEvent = JSON.createObjectNode();
        ArrayNode records = sqsEvent.putArray("Records");
        for (Message m : received) {
            records.addObject()
                    .put("messageId", m.messageId())
                    .put("receiptHandle", m.receiptHandle())
                    .put("body", m.body())
                    .put("eventSource", "aws:sqs")
                    .put("awsRegion", LocalStackDocker.REGION.id());
        }
        JsonNode response;
        var http = ApiGatewayManagementSender.crtClient(4);
        try (var management = new ApiGatewayManagementSender(
                        ApiGatewayManagementApiAsyncClient.builder()
                                .endpointOverride(URI.create("http://127.0.0.1:"
                                        + connections.getAddress().getPort() + "/it"))
                                .region(LocalStackDocker.REGION)
                                .credentialsProvider(LocalStackDocker.CREDENTIALS)
                                .httpClient(http)
                                .build(),
                        http);
                var dispatcher =
                        new Dispatcher(CATALOG, registry, management, Clock.systemUTC(), 4, Duration.ofMinutes(10))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new DispatcherHandler(dispatcher)
                    .handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(sqsEvent)), out, null);
            response = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        }

        assertThat(response.path("batchItemFailures")).as("no record to retry").isEmpty();
        assertThat(POSTED.get("c-stock")).singleElement().satisfies(f -> {
            assertThat(f.path("type").asString()).isEqualTo("event");
            assertThat(f.path("channel").asString()).isEqualTo("inventory.warehouse.WH-1");
            assertThat(f.path("eventType").asString()).isEqualTo("StockLevelChanged");
            assertThat(f.path("data").path("onHand").asInt()).isEqualTo(42);
            assertThat(f.path("data").has("unitCost"))
                    .as("cost is hidden without inventory:cost")
                    .isFalse();
        });
        assertThat(POSTED.get("c-broadcast")).singleElement().satisfies(f -> {
            assertThat(f.path("channel").asString()).isEqualTo("system.broadcast");
            assertThat(f.path("eventType").asString()).isEqualTo("MaintenanceNotice");
        });
        for (Message m : received) sqs.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
    }

    private static PutEventsRequestEntry entry(String source, String detailType, String example) {
        return PutEventsRequestEntry.builder()
                .eventBusName(CATALOG.bus())
                .source(source)
                .detailType(detailType)
                .detail(EventCatalog.readTree(EventCatalog.BASE + example).toString())
                .build();
    }
}
