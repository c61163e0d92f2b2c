package com.figureforge.devstack.stripe;

import com.figureforge.devstack.stripe.StripeEmulator.SentEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Stripe emulator's webhook delivery: events are signed like Stripe signs them ({@code
 * Stripe-Signature: t=...,v1=...}) and posted one at a time, in the order they were raised, from a
 * single delivery thread; every attempt is recorded with the endpoint's answer. Failed deliveries are
 * not retried on their own: {@link #resend} sends one again, same id and bytes, freshly signed.
 */
final class StripeWebhooks implements AutoCloseable {

    private record Webhook(URI endpoint, String signingSecret, Set<String> enabledEvents) {
        boolean wants(String type) {
            return enabledEvents.contains("*") || enabledEvents.contains(type);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(StripeWebhooks.class);
    private static final Duration DELIVERY_WAIT = Duration.ofSeconds(30);
    private static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(20);

    private final ExecutorService delivery = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("stripe-emulator-webhooks").factory());
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Clock clock = Clock.systemUTC();
    /** Every event raised, by id (for {@code GET /v1/events/{id}} and resends); never changed once in. */
    private final Map<String, ObjectNode> events = new ConcurrentHashMap<>();

    private final List<SentEvent> sentEvents = new CopyOnWriteArrayList<>();
    private volatile Webhook webhook;

    void setWebhook(URI endpoint, String signingSecret, Collection<String> enabledEvents) {
        if (signingSecret == null || signingSecret.isEmpty()) {
            throw new IllegalArgumentException("a webhook needs a signing secret");
        }
        webhook = new Webhook(endpoint, signingSecret, Set.copyOf(enabledEvents));
    }

    void clearWebhook() {
        webhook = null;
    }

    /** The event as raised, for {@code GET /v1/events/{id}}. */
    ObjectNode event(String id) {
        return StripeFailure.requireKnown(events, "event", id).deepCopy();
    }

    /** Every event raised or sent, oldest first, with the endpoint's answer. */
    List<SentEvent> sent() {
        return List.copyOf(sentEvents);
    }

    /** Sends this exact payload, signed with {@code signatureHeader} or (null) correctly. */
    SentEvent sendPayload(String payload, String signatureHeader) {
        return deliverNow(requireWebhook(), typeOf(payload), payload, signatureHeader);
    }

    SentEvent resend(String eventId) {
        ObjectNode event = events.get(eventId);
        if (event == null) {
            throw new IllegalStateException("no event " + eventId);
        }
        String payload = payloadOf(event);
        return deliverNow(requireWebhook(), typeOf(payload), payload, null);
    }

    /** Waits until every event raised so far went out: deliveries run in order, so this waits behind them. */
    void awaitDeliveries() {
        await(List.of(CompletableFuture.supplyAsync(() -> null, delivery)));
    }

    void reset() {
        events.clear();
        sentEvents.clear();
    }

    @Override
    public void close() {
        delivery.shutdownNow();
        http.close();
    }

    /**
     * Raises an event about a snapshot of the object, created at {@code created} (unix seconds), and
     * queues its delivery behind the ones raised before.
     */
    CompletableFuture<SentEvent> emit(
            String type, JsonNode object, ObjectNode previous, EventOrigin origin, long created) {
        Webhook target = webhook;
        boolean send = target != null && target.wants(type);
        ObjectNode event = StripeObjects.event(
                StripeObjects.newId("evt", 24),
                type,
                created,
                (ObjectNode) object.deepCopy(),
                previous,
                origin.requestId(),
                origin.idempotencyKey(),
                send ? 1 : 0);
        String id = event.get("id").asString();
        events.put(id, event);
        String payload = payloadOf(event);
        return CompletableFuture.supplyAsync(
                () -> {
                    if (!send) {
                        SentEvent skipped = new SentEvent(
                                id,
                                type,
                                payload,
                                StripeEmulator.NOT_SENT,
                                target == null ? "no webhook endpoint" : "endpoint not subscribed to " + type,
                                clock.instant());
                        sentEvents.add(skipped);
                        return skipped;
                    }
                    return post(target, id, type, payload, null);
                },
                delivery);
    }

    /** Stripe sends events pretty-printed; a resend carries the very same bytes. */
    private String payloadOf(ObjectNode event) {
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(event);
    }

    private SentEvent deliverNow(Webhook target, String type, String payload, String signatureHeader) {
        String id = fieldOf(payload, "id");
        CompletableFuture<SentEvent> pending =
                CompletableFuture.supplyAsync(() -> post(target, id, type, payload, signatureHeader), delivery);
        return await(List.of(pending)).getFirst();
    }

    /** On the delivery thread: one POST to the endpoint, recorded. */
    private SentEvent post(Webhook target, String id, String type, String payload, String signatureHeader) {
        String signature = signatureHeader != null
                ? signatureHeader
                : StripeSignature.header(target.signingSecret(), clock.instant().getEpochSecond(), payload);
        HttpRequest request = HttpRequest.newBuilder(target.endpoint())
                .timeout(WEBHOOK_TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
                .header("Stripe-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8))
                .build();
        SentEvent sent;
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            sent = new SentEvent(id, type, payload, response.statusCode(), null, clock.instant());
            if (!sent.delivered()) {
                log.warn("webhook endpoint answered {} to {} {}", response.statusCode(), type, id);
            }
        } catch (IOException e) {
            sent = new SentEvent(id, type, payload, StripeEmulator.UNREACHABLE, e.toString(), clock.instant());
            log.warn("webhook endpoint {} unreachable for {} {}: {}", target.endpoint(), type, id, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sent = new SentEvent(id, type, payload, StripeEmulator.UNREACHABLE, "interrupted", clock.instant());
        }
        sentEvents.add(sent);
        return sent;
    }

    List<SentEvent> await(List<CompletableFuture<SentEvent>> pending) {
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .get(DELIVERY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("webhook deliveries did not all finish within {}: {}", DELIVERY_WAIT, e.toString());
        }
        return pending.stream()
                .filter(future -> future.isDone() && !future.isCompletedExceptionally())
                .map(CompletableFuture::join)
                .filter(Objects::nonNull)
                .toList();
    }

    private Webhook requireWebhook() {
        Webhook target = webhook;
        if (target == null) {
            throw new IllegalStateException("no webhook endpoint: call setWebhook first");
        }
        return target;
    }

    private String typeOf(String payload) {
        return fieldOf(payload, "type");
    }

    /** A top-level text field of a payload that may not even be JSON (tests send odd ones). */
    private String fieldOf(String payload, String name) {
        try {
            JsonNode field = json.readTree(payload).get(name);
            return field == null ? null : field.asString();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
