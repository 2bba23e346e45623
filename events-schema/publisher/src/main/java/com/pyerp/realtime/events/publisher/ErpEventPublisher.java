package com.pyerp.realtime.events.publisher;

import com.pyerp.realtime.events.Envelope;
import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.EventDefinition;
import com.pyerp.realtime.events.Json;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClientBuilder;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequest;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Publishes catalog events to EventBridge for ERP services: validates each event against its schema before sending
 * (an invalid event is {@link PublishResult.Status#REJECTED} with the reasons and never sent), packs the valid ones
 * into {@code PutEvents} calls within {@link EventBridgeLimits} (10 entries, 1 MB), and sends again
 * only the entries of a partial failure whose error EventBridge calls retryable ({@code InternalFailure},
 * {@code ThrottlingException}), with exponential backoff and full jitter. Results come back per event, in input order.
 *
 * <p><b>Correlation id.</b> An EventBridge entry has no free metadata field, so the publisher writes the correlation
 * id into {@code detail._meta.correlationId} (every catalog schema allows {@code _meta}); the dispatcher copies it into
 * every delivered frame ({@link Envelope#correlationId}). It is, in order: the one already in {@code detail._meta},
 * {@link ErpEvent#correlationId()}, or a new random UUID. The result reports it, so the caller can log it.
 *
 * <p><b>Endpoint.</b> {@link Builder#endpoint}, else {@code AWS_ENDPOINT_URL_EVENTBRIDGE}, else {@code AWS_ENDPOINT_URL}
 * (the AWS SDK conventions), else EventBridge itself. With an endpoint override and no AWS credentials anywhere
 * (environment, system properties, profile), static dummy credentials are used: local stand-ins do not check them.
 *
 * <p>Thread-safe; one instance per service. Close it to release the HTTP client it built.
 */
public final class ErpEventPublisher implements AutoCloseable {
    /** Per-entry error codes EventBridge documents as retryable. */
    public static final Set<String> RETRYABLE_ERRORS = Set.of("InternalFailure", "ThrottlingException");
    /** The {@code _meta.producer} value when none is configured. */
    public static final String DEFAULT_PRODUCER = "realtime-events-publisher";

    static final String REJECTED_CODE = "Invalid";
    /** Bytes of {@code {"Entries":[]}} around the entries of a request. */
    private static final int REQUEST_OVERHEAD = 16;

    private final EventBridgeClient client;
    private final boolean ownsClient;
    private final EventCatalog catalog;
    private final String bus;
    private final URI endpoint;
    private final int maxAttempts;
    private final Duration baseBackoff;
    private final Duration maxBackoff;
    private final String producer;
    private final Supplier<String> correlationIds;

    private ErpEventPublisher(Builder b, EventBridgeClient client, boolean ownsClient, URI endpoint) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.catalog = b.catalog;
        this.bus = b.bus;
        this.endpoint = endpoint;
        this.maxAttempts = b.maxAttempts;
        this.baseBackoff = b.baseBackoff;
        this.maxBackoff = b.maxBackoff;
        this.producer = b.producer;
        this.correlationIds = b.correlationIds;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The event bus events go to. */
    public String bus() {
        return bus;
    }

    /** The endpoint override in use, or empty when the SDK's own EventBridge endpoint is used. */
    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public EventCatalog catalog() {
        return catalog;
    }

    /** Publishes one event; see {@link #publish(List)}. */
    public PublishResult publish(ErpEvent event) {
        return publish(List.of(event)).get(0);
    }

    /**
     * Validates, batches and sends the events; returns one result per event, in input order. Never throws for a
     * failed or rejected event: a call that fails as a whole (after the SDK's own retries) marks its entries
     * {@link PublishResult.Status#FAILED} with the exception's class as error code.
     */
    public List<PublishResult> publish(List<ErpEvent> events) {
        Objects.requireNonNull(events, "events");
        PublishResult[] results = new PublishResult[events.size()];
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            ErpEvent e = Objects.requireNonNull(events.get(i), "events[" + i + "]");
            Prepared p = prepare(e);
            if (p.errors != null) {
                results[i] = new PublishResult(
                        e, PublishResult.Status.REJECTED, null, p.correlationId, REJECTED_CODE, p.errors, 0);
            } else {
                pending.add(new Pending(i, e, p.entry, p.correlationId, p.requestBytes));
            }
        }
        for (List<Pending> batch : batches(pending)) send(batch, results);
        return Arrays.asList(results);
    }

    private record Prepared(PutEventsRequestEntry entry, String correlationId, int requestBytes, List<String> errors) {}

    private record Pending(
            int index, ErpEvent event, PutEventsRequestEntry entry, String correlationId, int requestBytes) {}

    private Prepared prepare(ErpEvent e) {
        Optional<EventDefinition> def = catalog.find(e.source(), e.detailType());
        if (def.isEmpty()) {
            return new Prepared(
                    null,
                    e.correlationId(),
                    0,
                    List.of("unknown event: source " + e.source() + " with detail-type " + e.detailType()
                            + " is not in the event catalog"));
        }
        if (!e.detail().isObject())
            return new Prepared(null, e.correlationId(), 0, List.of("$: detail must be a JSON object"));
        ObjectNode detail = ((ObjectNode) e.detail()).deepCopy();
        JsonNode metaNode = detail.get(EventCatalog.META_FIELD);
        if (metaNode != null && !metaNode.isObject()) {
            return new Prepared(
                    null, e.correlationId(), 0, List.of("$." + EventCatalog.META_FIELD + ": must be an object"));
        }
        ObjectNode meta = metaNode == null ? detail.putObject(EventCatalog.META_FIELD) : (ObjectNode) metaNode;
        JsonNode existing = meta.get(Envelope.CORRELATION_ID);
        String correlationId;
        if (existing != null && existing.isString() && !existing.asString().isBlank()) {
            correlationId = existing.asString();
        } else {
            correlationId = e.correlationId() != null ? e.correlationId() : correlationIds.get();
            meta.put(Envelope.CORRELATION_ID, correlationId);
        }
        if (!meta.has("producer") && producer != null) meta.put("producer", producer);
        List<String> errors = def.get().validate(detail);
        if (!errors.isEmpty()) return new Prepared(null, correlationId, 0, errors);

        String detailText = Json.mapper().writeValueAsString(detail);
        PutEventsRequestEntry.Builder entry = PutEventsRequestEntry.builder()
                .eventBusName(bus)
                .source(e.source())
                .detailType(e.detailType())
                .detail(detailText);
        if (e.time() != null) entry.time(e.time());
        PutEventsRequestEntry built = entry.build();
        int size = entrySize(built);
        if (size > EventBridgeLimits.MAX_BYTES) {
            return new Prepared(
                    null,
                    correlationId,
                    0,
                    List.of("the entry is " + size + " bytes; EventBridge accepts at most "
                            + EventBridgeLimits.MAX_BYTES
                            + " (1 MB) per entry: put large payloads in S3 and send a reference"));
        }
        return new Prepared(built, correlationId, requestBytes(built), null);
    }

    /** The entry size as EventBridge computes it ({@link EventBridgeLimits#entrySize}). */
    static int entrySize(PutEventsRequestEntry entry) {
        return EventBridgeLimits.entrySize(
                entry.source(),
                entry.detailType(),
                entry.detail(),
                entry.hasResources() ? entry.resources() : null,
                entry.time() != null);
    }

    /**
     * The bytes the entry takes in the JSON request body (field names, escaped detail). Batches are cut on this,
     * which is never less than {@link #entrySize}: a batch then fits both EventBridge's limit and a stand-in that
     * limits the request body to {@link EventBridgeLimits#MAX_BYTES}.
     */
    static int requestBytes(PutEventsRequestEntry entry) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("Source", entry.source());
        n.put("DetailType", entry.detailType());
        n.put("Detail", entry.detail());
        n.put("EventBusName", entry.eventBusName());
        if (entry.time() != null) n.put("Time", entry.time().getEpochSecond());
        return Json.mapper().writeValueAsBytes(n).length + 1;
    }

    /** Consecutive groups of at most {@link EventBridgeLimits#MAX_ENTRIES} entries and {@link EventBridgeLimits#MAX_BYTES} request bytes. */
    static <T> List<List<T>> batches(List<T> items, java.util.function.ToIntFunction<T> bytes) {
        List<List<T>> out = new ArrayList<>();
        List<T> current = new ArrayList<>();
        int currentBytes = REQUEST_OVERHEAD;
        for (T p : items) {
            int b = bytes.applyAsInt(p);
            if (!current.isEmpty()
                    && (current.size() == EventBridgeLimits.MAX_ENTRIES
                            || currentBytes + b > EventBridgeLimits.MAX_BYTES)) {
                out.add(current);
                current = new ArrayList<>();
                currentBytes = REQUEST_OVERHEAD;
            }
            current.add(p);
            currentBytes += b;
        }
        if (!current.isEmpty()) out.add(current);
        return out;
    }

    private static List<List<Pending>> batches(List<Pending> pending) {
        return batches(pending, Pending::requestBytes);
    }

    private void send(List<Pending> batch, PublishResult[] results) {
        List<Pending> todo = batch;
        for (int attempt = 1; !todo.isEmpty(); attempt++) {
            if (attempt > 1) sleepBackoff(attempt - 1);
            List<PutEventsRequestEntry> entries = new ArrayList<>(todo.size());
            for (Pending p : todo) entries.add(p.entry);
            PutEventsResponse response;
            try {
                response = client.putEvents(
                        PutEventsRequest.builder().entries(entries).build());
            } catch (SdkException ex) {
                // the SDK has already retried the call as a whole (throttling, 5xx, I/O) under its retry strategy
                String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
                for (Pending p : todo) {
                    results[p.index] = new PublishResult(
                            p.event,
                            PublishResult.Status.FAILED,
                            null,
                            p.correlationId,
                            ex.getClass().getSimpleName(),
                            List.of(message),
                            attempt);
                }
                return;
            }
            List<PutEventsResultEntry> out = response.entries();
            List<Pending> retry = new ArrayList<>();
            for (int i = 0; i < todo.size(); i++) {
                Pending p = todo.get(i);
                PutEventsResultEntry r = i < out.size() ? out.get(i) : null;
                if (r != null && r.eventId() != null && r.errorCode() == null) {
                    results[p.index] = new PublishResult(
                            p.event, PublishResult.Status.SENT, r.eventId(), p.correlationId, null, List.of(), attempt);
                    continue;
                }
                String code =
                        r == null ? "MissingResultEntry" : r.errorCode() == null ? "MissingEventId" : r.errorCode();
                String message = r == null || r.errorMessage() == null
                        ? "EventBridge returned no result for this entry"
                        : r.errorMessage();
                if (RETRYABLE_ERRORS.contains(code) && attempt < maxAttempts) {
                    retry.add(p);
                } else {
                    results[p.index] = new PublishResult(
                            p.event,
                            PublishResult.Status.FAILED,
                            null,
                            p.correlationId,
                            code,
                            List.of(message),
                            attempt);
                }
            }
            todo = retry;
        }
    }

    private void sleepBackoff(int retry) {
        long cap = Math.min(maxBackoff.toMillis(), baseBackoff.toMillis() << Math.min(retry - 1, 20));
        long millis = cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (ownsClient) client.close();
    }

    /** The endpoint override the environment asks for: {@code AWS_ENDPOINT_URL_EVENTBRIDGE}, else {@code AWS_ENDPOINT_URL}. */
    public static Optional<String> endpointFromEnvironment(Map<String, String> env) {
        for (String name : List.of("AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_ENDPOINT_URL")) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) return Optional.of(v.trim());
        }
        return Optional.empty();
    }

    /**
     * Settings with their defaults; {@link #build()} validates them with a clear message.
     * Defaults: the catalog shipped in the jar, its bus ({@code erp-events}), region {@code AWS_REGION} or
     * {@code us-east-1}, 3 attempts per entry, backoff 100 ms doubling up to 2 s, producer {@value #DEFAULT_PRODUCER}.
     */
    public static final class Builder {
        private EventCatalog catalog;
        private String bus;
        private String endpoint;
        private boolean ignoreEnvironmentEndpoint;
        private String region;
        private EventBridgeClient client;
        private int maxAttempts = 3;
        private Duration baseBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(2);
        private String producer = DEFAULT_PRODUCER;
        private Supplier<String> correlationIds = () -> UUID.randomUUID().toString();
        private Map<String, String> environment = System.getenv();

        private Builder() {}

        public Builder catalog(EventCatalog v) {
            catalog = v;
            return this;
        }
        /** The event bus name or ARN. */
        public Builder bus(String v) {
            bus = v;
            return this;
        }
        /** An explicit endpoint, e.g. {@code http://localhost:8080}; wins over the environment. */
        public Builder endpoint(String v) {
            endpoint = v;
            return this;
        }

        public Builder endpoint(URI v) {
            endpoint = v == null ? null : v.toString();
            return this;
        }
        /** Use EventBridge itself even when AWS_ENDPOINT_URL(_EVENTBRIDGE) is set. */
        public Builder ignoreEnvironmentEndpoint(boolean v) {
            ignoreEnvironmentEndpoint = v;
            return this;
        }

        public Builder region(String v) {
            region = v;
            return this;
        }
        /** A client built elsewhere (endpoint, region and credentials settings are then ignored; it is not closed). */
        public Builder client(EventBridgeClient v) {
            client = v;
            return this;
        }
        /** Calls that may carry one entry, counting the first (1 = no retry). */
        public Builder maxAttempts(int v) {
            maxAttempts = v;
            return this;
        }

        public Builder backoff(Duration base, Duration max) {
            baseBackoff = base;
            maxBackoff = max;
            return this;
        }
        /** Written to {@code _meta.producer} unless the event sets it; null for none. */
        public Builder producer(String v) {
            producer = v;
            return this;
        }
        /** Where new correlation ids come from (default: random UUIDs). */
        public Builder correlationIds(Supplier<String> v) {
            correlationIds = v;
            return this;
        }
        /** The environment variables to read (default {@link System#getenv()}); for tests and embedding. */
        public Builder environment(Map<String, String> v) {
            environment = Map.copyOf(v);
            return this;
        }

        public ErpEventPublisher build() {
            if (catalog == null) catalog = EventCatalog.load();
            if (bus == null) bus = catalog.bus();
            if (!bus.matches("[A-Za-z0-9._\\-/:]{1,1600}")) {
                throw new IllegalArgumentException(
                        "bus must be an event bus name or ARN ([A-Za-z0-9._-/:]), got '" + bus + "'");
            }
            if (maxAttempts < 1 || maxAttempts > 10)
                throw new IllegalArgumentException("maxAttempts must be 1..10, got " + maxAttempts);
            Objects.requireNonNull(baseBackoff, "backoff base");
            Objects.requireNonNull(maxBackoff, "backoff max");
            if (baseBackoff.isNegative() || maxBackoff.isNegative())
                throw new IllegalArgumentException("backoff must not be negative");
            Objects.requireNonNull(correlationIds, "correlationIds");
            if (client != null) return new ErpEventPublisher(this, client, false, null);

            String raw = endpoint != null
                    ? endpoint
                    : ignoreEnvironmentEndpoint
                            ? null
                            : endpointFromEnvironment(environment).orElse(null);
            URI uri = raw == null
                    ? null
                    : endpointUri(
                            raw, endpoint != null ? "endpoint" : "AWS_ENDPOINT_URL_EVENTBRIDGE / AWS_ENDPOINT_URL");
            String r = region != null
                    ? region
                    : environment.getOrDefault("AWS_REGION", "").isBlank()
                            ? "us-east-1"
                            : environment.get("AWS_REGION");
            if (!r.matches("[a-z]{2}(-[a-z]+)+-\\d+"))
                throw new IllegalArgumentException("region must look like eu-central-1, got '" + r + "'");

            EventBridgeClientBuilder cb = EventBridgeClient.builder()
                    .httpClientBuilder(UrlConnectionHttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(3))
                            .socketTimeout(Duration.ofSeconds(30)))
                    .region(Region.of(r))
                    .credentialsProvider(credentials(uri != null));
            if (uri != null) cb.endpointOverride(uri);
            return new ErpEventPublisher(this, cb.build(), true, uri);
        }

        private static URI endpointUri(String raw, String what) {
            URI uri;
            try {
                uri = URI.create(raw);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        what + " must be an http(s) URL such as http://localhost:8080, got '" + raw + "'");
            }
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException(
                        what + " must be an http(s) URL such as http://localhost:8080, got '" + raw + "'");
            }
            return uri;
        }

        /**
         * Against AWS: the SDK's default chain. Against an endpoint override: environment, system properties and
         * profile credentials when there are any, else static dummy ones (never the EC2/ECS metadata services,
         * which would only add timeouts on a developer machine).
         */
        private static AwsCredentialsProvider credentials(boolean endpointOverride) {
            if (!endpointOverride) return DefaultCredentialsProvider.builder().build();
            return AwsCredentialsProviderChain.builder()
                    .reuseLastProviderEnabled(true)
                    .credentialsProviders(
                            EnvironmentVariableCredentialsProvider.create(),
                            SystemPropertyCredentialsProvider.create(),
                            ProfileCredentialsProvider.create(),
                            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .build();
        }
    }
}
