package com.figureforge.devstack.stripe;

import com.figureforge.devstack.http.LoopbackHttpServer;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A local stand-in for the part of the Stripe API FigureForge uses, so the local stack can walk
 * through an upgrade with no Stripe account and tests can drive the real stripe-java SDK against it
 * ({@code StripeClient.builder().setApiKey("sk_test_local").setApiBase(emulator.baseUrl())}). Objects
 * are rendered as in API version {@value StripeObjects#API_VERSION}, the version stripe-java 33.3.0
 * pins.
 *
 * <h2>API ({@code /v1}, form-encoded requests, JSON answers)</h2>
 *
 * <ul>
 *   <li>Every call needs {@code Authorization: Bearer sk_...} (or {@code rk_...}; HTTP basic with the
 *       key as user name also works, like {@code curl -u sk_test_local:}); otherwise 401.
 *   <li>{@code POST /v1/customers}, {@code GET|POST|DELETE /v1/customers/{id}}. A deleted customer
 *       reads back as {@code {id, object, deleted: true}}; deleting one cancels its subscriptions.
 *   <li>{@code POST /v1/checkout/sessions} ({@code mode=subscription}, one line item), {@code GET
 *       /v1/checkout/sessions/{id}}. The session's {@code url} is this server's checkout page.
 *   <li>{@code POST /v1/billing_portal/sessions}: the {@code url} is this server's portal page.
 *   <li>{@code GET /v1/subscriptions?customer=&status=&price=&limit=&starting_after=}, {@code GET
 *       /v1/subscriptions/{id}}, {@code POST /v1/subscriptions/{id}} ({@code cancel_at_period_end},
 *       {@code metadata}, {@code cancellation_details}), {@code DELETE /v1/subscriptions/{id}}.
 *   <li>{@code GET /v1/invoices/{id}}, {@code GET /v1/events/{id}}.
 *   <li>Session expiry, price swaps, subscription schedules, prorated cancels and the access-changing
 *       lifecycle events: {@link StripeSubscriptionChangesEmulation}.
 * </ul>
 *
 * <p>{@code Idempotency-Key} is honoured on POSTs as Stripe does: the same key with the same path and
 * parameters replays the first answer ({@code Idempotent-Replayed: true}) and creates nothing; the
 * same key with another path or other parameters is a 400 {@code idempotency_error}. Only successful
 * answers are remembered. Errors have Stripe's shape {@code {"error": {type, code, message, param,
 * doc_url}}}: unknown ids are 404 {@code resource_missing}, missing parameters 400 {@code
 * parameter_missing}. Parameters the emulator does not know are accepted, logged and recorded.
 *
 * <h2>Browser pages</h2>
 *
 * <ul>
 *   <li>{@code GET /checkout/{session}} pays: it creates an active subscription (period now to now +
 *       30 days, on {@code items.data[0]}), completes the session, sends {@code
 *       checkout.session.completed}, {@code customer.subscription.created} and {@code invoice.paid},
 *       then redirects (303) to the session's {@code success_url} ({@code {CHECKOUT_SESSION_ID}}
 *       filled in), or shows a small page when there is none. Opening it again only redirects.
 *   <li>{@code GET /portal/{session}} shows the customer's subscriptions with buttons: cancel at
 *       period end, resume, and emulator controls (renew, failed payment, pay the open invoice,
 *       cancel now), each a {@code POST /portal/{session}/{action}}.
 * </ul>
 *
 * <h2>Webhooks</h2>
 *
 * <p>Events go to the endpoint set with {@link #setWebhook}, one at a time in the order they
 * happened, signed like Stripe does ({@code Stripe-Signature: t=...,v1=...}) so {@code
 * Webhook.constructEvent} accepts them. Failed deliveries are recorded, not retried (use {@link
 * #resend}). The Java lifecycle helpers and the checkout page wait until their events were
 * delivered; events caused by API calls are sent in the background (so a webhook handler may call the
 * API): {@link #awaitDeliveries} waits for them. Every price costs {@value StripeObjects#UNIT_AMOUNT} cents ({@value StripeObjects#CURRENCY})
 * a month.
 *
 * <h2>Parts</h2>
 *
 * <p>This class is the Java face; the work is split along its seams: {@link StripeApi} (auth,
 * idempotency, routes to {@link StripeApiHandlers}), {@link StripeLifecycle} (the objects and how
 * they change, under one lock), {@link StripeWebhooks} (signing, delivery, resends), {@link
 * StripePages} (checkout and portal HTML), all on the shared {@link LoopbackHttpServer}; the JSON
 * shapes are built by {@link StripeObjects}.
 */
public final class StripeEmulator implements AutoCloseable {

    public static final String API_VERSION = StripeObjects.API_VERSION;

    /** {@link SentEvent#status()} of an event no endpoint was set up (or subscribed) for. */
    public static final int NOT_SENT = 0;

    /** {@link SentEvent#status()} of an event whose endpoint could not be reached. */
    public static final int UNREACHABLE = -1;

    /** An API call as received: query and body parameters flat ({@code metadata[plan]}). */
    public record ApiRequest(
            String method,
            String path,
            Map<String, String> params,
            String idempotencyKey,
            int status,
            Instant receivedAt) {}

    /**
     * An event the emulator raised, with what the webhook endpoint answered: an HTTP status, {@link
     * #NOT_SENT} or {@link #UNREACHABLE} ({@code error} says why).
     */
    public record SentEvent(String id, String type, String payload, int status, String error, Instant sentAt) {

        private static final JsonMapper JSON = JsonMapper.builder().build();

        public boolean delivered() {
            return status >= 200 && status < 300;
        }

        /** The event's {@code data.object}. */
        public JsonNode dataObject() {
            return JSON.readTree(payload).get("data").get("object");
        }
    }

    private final LoopbackHttpServer server;
    private final JsonMapper json = JsonMapper.builder().build();
    private final StripeWebhooks webhooks = new StripeWebhooks();
    private final StripeLifecycle lifecycle = new StripeLifecycle(webhooks);
    private final StripePages pages;
    private final StripeApi api;

    private StripeEmulator(LoopbackHttpServer server) {
        this.server = server;
        this.pages = new StripePages(this, lifecycle, webhooks, server);
        this.api = new StripeApi(lifecycle, webhooks, pages);
    }

    /** Starts on the given loopback port (0 = a free one), with no webhook endpoint yet. */
    public static StripeEmulator start(int port) {
        return start(InetAddress.getLoopbackAddress(), port);
    }

    /** Starts on another interface (the stand-ins container), with no webhook endpoint yet. */
    public static StripeEmulator start(InetAddress host, int port) {
        LoopbackHttpServer server = LoopbackHttpServer.bind(
                "Stripe emulator", host, port, StripeObjects.error("api_error", null, "Internal emulator error", null));
        StripeEmulator emulator = new StripeEmulator(server);
        server.start(emulator::handle);
        return emulator;
    }

    /** What the Stripe client uses as its API base instead of {@code https://api.stripe.com}. */
    public URI baseUrl() {
        return server.baseUrl();
    }

    public int port() {
        return server.port();
    }

    /** Sends every event to this endpoint, signed with this secret ({@code whsec_...}). */
    public void setWebhook(URI endpoint, String signingSecret) {
        setWebhook(endpoint, signingSecret, List.of("*"));
    }

    /** Sends only these event types ({@code "*"} = all), like a Stripe endpoint's enabled events. */
    public void setWebhook(URI endpoint, String signingSecret, Collection<String> enabledEvents) {
        webhooks.setWebhook(endpoint, signingSecret, enabledEvents);
    }

    /** Events are raised and recorded but sent nowhere. */
    public void clearWebhook() {
        webhooks.clearWebhook();
    }

    /**
     * Where a browser reaches this server, used in checkout and portal URLs. By default they follow
     * the {@code Host} the API client used.
     */
    public void setPublicBaseUrl(URI publicBaseUrl) {
        pages.setPublicBaseUrl(publicBaseUrl);
    }

    // ---- lifecycle helpers --------------------------------------------------------------------
    // Each acts on the customer's latest subscription that has not ended, waits until its events
    // were delivered and returns them. IllegalStateException when there is nothing to act on.

    /** What opening the checkout page does, without a browser. */
    public List<SentEvent> completeCheckout(String checkoutSessionId) {
        return lifecycle.completeCheckout(checkoutSessionId);
    }

    /**
     * The renewal charge fails: the subscription moves to its next period with an open invoice and
     * becomes {@code past_due}; sends {@code invoice.payment_failed} and {@code
     * customer.subscription.updated}. On a subscription already waiting for payment it is one more
     * failed attempt on the open invoice ({@code invoice.payment_failed} only).
     */
    public List<SentEvent> failNextPayment(String customerId) {
        return lifecycle.drive(customerId, lifecycle::failPayment);
    }

    /** The open invoice is paid: {@code active} again; sends {@code invoice.paid} and {@code customer.subscription.updated}. */
    public List<SentEvent> payInvoice(String customerId) {
        return lifecycle.drive(customerId, lifecycle::payOpenInvoice);
    }

    /**
     * The period ends. Normally a successful renewal: next period, a paid invoice, {@code
     * invoice.paid} and {@code customer.subscription.updated}. A subscription set to cancel at period
     * end ends instead: {@code customer.subscription.deleted}.
     */
    public List<SentEvent> renew(String customerId) {
        return lifecycle.drive(customerId, lifecycle::renewSubscription);
    }

    /** Cancels at once: {@code customer.subscription.deleted}. */
    public List<SentEvent> cancelNow(String customerId) {
        return lifecycle.drive(
                customerId, subscription -> lifecycle.endSubscription(subscription, EventOrigin.AUTOMATIC, null, null));
    }

    /** What the portal's cancel (true) and resume (false) buttons do: {@code customer.subscription.updated}. */
    public List<SentEvent> cancelAtPeriodEnd(String customerId, boolean cancel) {
        return lifecycle.drive(
                customerId,
                subscription -> lifecycle.scheduleCancellation(subscription, cancel, EventOrigin.AUTOMATIC));
    }

    /**
     * Raises one of {@link StripeSubscriptionChangesEmulation#STEP_EVENTS} (paused, resumed, trial_will_end,
     * payment_action_required, marked_uncollectible, pending_update_applied/expired) for the customer's
     * latest live subscription, with the state change Stripe makes along with it.
     */
    public List<SentEvent> subscriptionEvent(String customerId, String eventType) {
        if (!StripeSubscriptionChangesEmulation.STEP_EVENTS.contains(eventType)) {
            throw new IllegalArgumentException("no emulated lifecycle step raises " + eventType);
        }
        var step = StripeSubscriptionChangesEmulation.Step.valueOf(eventType
                .substring(eventType.indexOf('.') + 1)
                .replace("subscription.", "")
                .toUpperCase(java.util.Locale.ROOT));
        return lifecycle.drive(customerId, subscription -> lifecycle.changes.apply(subscription, step));
    }

    /** A second subscription made outside the app (dashboard, API): active and paid at once. */
    public JsonNode subscribeOutsideCheckout(String customerId, String priceId, String userId) {
        JsonNode created;
        synchronized (lifecycle.lock) {
            created = lifecycle.changes.route(
                    "POST",
                    List.of("subscriptions"),
                    new StripeForm(
                            Map.of("customer", customerId, "items[0][price]", priceId, "metadata[user_id]", userId)),
                    EventOrigin.AUTOMATIC);
        }
        awaitDeliveries();
        return created;
    }

    /** Sends an event of any type around the given object (a {@code JsonNode}, map or bean). */
    public SentEvent sendEvent(String type, Object dataObject) {
        CompletableFuture<SentEvent> pending;
        synchronized (lifecycle.lock) {
            pending = lifecycle.emit(type, json.valueToTree(dataObject), null, EventOrigin.AUTOMATIC);
        }
        return webhooks.await(List.of(pending)).getFirst();
    }

    /** Sends this exact payload, correctly signed (for unknown versions, odd shapes, duplicates). */
    public SentEvent sendPayload(String payload) {
        return webhooks.sendPayload(payload, null);
    }

    /** Sends this exact payload with this {@code Stripe-Signature} header (for signature checks). */
    public SentEvent sendPayload(String payload, String signatureHeader) {
        return webhooks.sendPayload(payload, signatureHeader);
    }

    /** Sends an event raised earlier once more, same id and body, freshly signed. */
    public SentEvent resend(String eventId) {
        return webhooks.resend(eventId);
    }

    // ---- introspection ------------------------------------------------------------------------

    /** Every event raised or sent, oldest first, with the endpoint's answer. */
    public List<SentEvent> events() {
        return webhooks.sent();
    }

    public List<String> eventTypes() {
        return webhooks.sent().stream().map(SentEvent::type).toList();
    }

    /** Every {@code /v1} call, oldest first. */
    public List<ApiRequest> requests() {
        return api.requests();
    }

    public Optional<JsonNode> customer(String customerId) {
        synchronized (lifecycle.lock) {
            return Optional.ofNullable(lifecycle.customers.get(customerId)).map(ObjectNode::deepCopy);
        }
    }

    public Optional<JsonNode> checkoutSession(String checkoutSessionId) {
        synchronized (lifecycle.lock) {
            return Optional.ofNullable(lifecycle.checkoutSessions.get(checkoutSessionId))
                    .map(ObjectNode::deepCopy);
        }
    }

    /** The customer's subscriptions, oldest first, ended ones included. */
    public List<JsonNode> subscriptions(String customerId) {
        synchronized (lifecycle.lock) {
            return lifecycle
                    .subscriptionsOf(customerId)
                    .map(subscription -> (JsonNode) subscription.deepCopy())
                    .toList();
        }
    }

    /**
     * Waits until every event raised so far went out (API calls send theirs in the background).
     * Deliveries are sent one at a time in order, so this waits behind them.
     */
    public void awaitDeliveries() {
        webhooks.awaitDeliveries();
    }

    /**
     * Forgets all objects, events and records, after the events already raised went out; keeps the
     * webhook and public URL settings.
     */
    public void reset() {
        awaitDeliveries();
        synchronized (lifecycle.lock) {
            lifecycle.reset();
            api.reset();
            webhooks.reset();
        }
    }

    @Override
    public void close() {
        server.close();
        webhooks.close();
    }

    private void handle(HttpExchange exchange, byte[] body) throws IOException {
        if (exchange.getRequestURI().getRawPath().startsWith("/v1/")) {
            api.handle(exchange, new String(body, StandardCharsets.UTF_8));
        } else {
            pages.handle(exchange);
        }
    }
}
