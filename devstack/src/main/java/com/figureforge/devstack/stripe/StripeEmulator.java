package com.figureforge.devstack.stripe;

import com.figureforge.devstack.http.HttpAnswers;
import com.figureforge.devstack.http.LoopbackHttpServer;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    private record Webhook(URI endpoint, String signingSecret, Set<String> enabledEvents) {
        boolean wants(String type) {
            return enabledEvents.contains("*") || enabledEvents.contains(type);
        }
    }

    private record Reply(int status, JsonNode body) {
        boolean successful() {
            return status >= 200 && status < 300;
        }
    }

    private record IdempotentCall(String method, String path, Map<String, String> params, Reply reply) {}

    private record CheckoutLine(String priceId, long quantity, Map<String, String> subscriptionMetadata) {}

    /** The API call an event came from ({@code event.request}); both null for automatic events. */
    record Origin(String requestId, String idempotencyKey) {
        static final Origin AUTOMATIC = new Origin(null, null);
    }

    static final class StripeFailure extends RuntimeException {
        final int status;
        final String type;
        final String code;
        final String param;

        StripeFailure(int status, String type, String code, String message, String param) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
            this.code = code;
            this.param = param;
        }

        static StripeFailure invalid(String code, String message, String param) {
            return new StripeFailure(400, "invalid_request_error", code, message, param);
        }

        static StripeFailure missing(String kind, String id, String param) {
            return new StripeFailure(
                    404, "invalid_request_error", "resource_missing", "No such " + kind + ": '" + id + "'", param);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(StripeEmulator.class);
    private static final Duration DELIVERY_WAIT = Duration.ofSeconds(30);
    private static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(20);
    private static final Set<String> LIVE_STATUSES =
            Set.of("active", "past_due", "trialing", "unpaid", "incomplete", "paused");
    private static final Set<String> LIST_STATUSES = Set.of(
            "active",
            "all",
            "canceled",
            "ended",
            "incomplete",
            "incomplete_expired",
            "past_due",
            "paused",
            "trialing",
            "unpaid");

    private final LoopbackHttpServer server;
    private final ExecutorService delivery;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Clock clock = Clock.systemUTC();

    private final Object lock = new Object();
    final Map<String, ObjectNode> customers = new LinkedHashMap<>();
    private final Set<String> deletedCustomers = new HashSet<>();
    final Map<String, ObjectNode> checkoutSessions = new LinkedHashMap<>();
    private final Map<String, CheckoutLine> checkoutLines = new LinkedHashMap<>();
    private final Map<String, ObjectNode> portalSessions = new LinkedHashMap<>();
    final Map<String, ObjectNode> subscriptions = new LinkedHashMap<>();
    private final Map<String, ObjectNode> invoices = new LinkedHashMap<>();
    private final Map<String, ObjectNode> events = new LinkedHashMap<>();
    private final Map<String, IdempotentCall> idempotentCalls = new LinkedHashMap<>();
    private final StripeSubscriptionChangesEmulation changes = new StripeSubscriptionChangesEmulation(this);

    private final List<SentEvent> sentEvents = new CopyOnWriteArrayList<>();
    private final List<ApiRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Webhook webhook;
    private volatile URI publicBaseUrl;

    private StripeEmulator(LoopbackHttpServer server) {
        this.server = server;
        this.delivery = Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name("stripe-emulator-webhooks").factory());
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Starts on the given loopback port (0 = a free one), with no webhook endpoint yet. */
    public static StripeEmulator start(int port) {
        LoopbackHttpServer server = LoopbackHttpServer.bind(
                "Stripe emulator", port, StripeObjects.error("api_error", null, "Internal emulator error", null));
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
        if (signingSecret == null || signingSecret.isEmpty()) {
            throw new IllegalArgumentException("a webhook needs a signing secret");
        }
        webhook = new Webhook(endpoint, signingSecret, Set.copyOf(enabledEvents));
    }

    /** Events are raised and recorded but sent nowhere. */
    public void clearWebhook() {
        webhook = null;
    }

    /**
     * Where a browser reaches this server, used in checkout and portal URLs. By default they follow
     * the {@code Host} the API client used.
     */
    public void setPublicBaseUrl(URI publicBaseUrl) {
        this.publicBaseUrl = publicBaseUrl;
    }

    // ---- lifecycle helpers --------------------------------------------------------------------
    // Each acts on the customer's latest subscription that has not ended, waits until its events
    // were delivered and returns them. IllegalStateException when there is nothing to act on.

    /** What opening the checkout page does, without a browser. */
    public List<SentEvent> completeCheckout(String checkoutSessionId) {
        List<CompletableFuture<SentEvent>> pending;
        synchronized (lock) {
            ObjectNode session = checkoutSessions.get(checkoutSessionId);
            if (session == null) {
                throw new IllegalStateException("no checkout session " + checkoutSessionId);
            }
            pending = payCheckout(session);
        }
        return await(pending);
    }

    /**
     * The renewal charge fails: the subscription moves to its next period with an open invoice and
     * becomes {@code past_due}; sends {@code invoice.payment_failed} and {@code
     * customer.subscription.updated}. On a subscription already waiting for payment it is one more
     * failed attempt on the open invoice ({@code invoice.payment_failed} only).
     */
    public List<SentEvent> failNextPayment(String customerId) {
        return drive(customerId, this::failPayment);
    }

    /** The open invoice is paid: {@code active} again; sends {@code invoice.paid} and {@code customer.subscription.updated}. */
    public List<SentEvent> payInvoice(String customerId) {
        return drive(customerId, this::payOpenInvoice);
    }

    /**
     * The period ends. Normally a successful renewal: next period, a paid invoice, {@code
     * invoice.paid} and {@code customer.subscription.updated}. A subscription set to cancel at period
     * end ends instead: {@code customer.subscription.deleted}.
     */
    public List<SentEvent> renew(String customerId) {
        return drive(customerId, this::renewSubscription);
    }

    /** Cancels at once: {@code customer.subscription.deleted}. */
    public List<SentEvent> cancelNow(String customerId) {
        return drive(customerId, subscription -> endSubscription(subscription, Origin.AUTOMATIC, null, null));
    }

    /** What the portal's cancel (true) and resume (false) buttons do: {@code customer.subscription.updated}. */
    public List<SentEvent> cancelAtPeriodEnd(String customerId, boolean cancel) {
        return drive(customerId, subscription -> scheduleCancellation(subscription, cancel, Origin.AUTOMATIC));
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
        return drive(customerId, subscription -> changes.apply(subscription, step));
    }

    /** A second subscription made outside the app (dashboard, API): active and paid at once. */
    public JsonNode subscribeOutsideCheckout(String customerId, String priceId, String userId) {
        JsonNode created;
        synchronized (lock) {
            created = changes.route(
                    "POST",
                    List.of("subscriptions"),
                    new StripeForm(
                            Map.of("customer", customerId, "items[0][price]", priceId, "metadata[user_id]", userId)),
                    Origin.AUTOMATIC);
        }
        awaitDeliveries();
        return created;
    }

    /** Sends an event of any type around the given object (a {@code JsonNode}, map or bean). */
    public SentEvent sendEvent(String type, Object dataObject) {
        CompletableFuture<SentEvent> pending;
        synchronized (lock) {
            pending = emit(type, json.valueToTree(dataObject), null, Origin.AUTOMATIC);
        }
        return await(List.of(pending)).getFirst();
    }

    /** Sends this exact payload, correctly signed (for unknown versions, odd shapes, duplicates). */
    public SentEvent sendPayload(String payload) {
        Webhook target = requireWebhook();
        return deliverNow(target, typeOf(payload), payload, null);
    }

    /** Sends this exact payload with this {@code Stripe-Signature} header (for signature checks). */
    public SentEvent sendPayload(String payload, String signatureHeader) {
        Webhook target = requireWebhook();
        return deliverNow(target, typeOf(payload), payload, signatureHeader);
    }

    /** Sends an event raised earlier once more, same id and body, freshly signed. */
    public SentEvent resend(String eventId) {
        String payload;
        synchronized (lock) {
            ObjectNode event = events.get(eventId);
            if (event == null) {
                throw new IllegalStateException("no event " + eventId);
            }
            payload = payloadOf(event);
        }
        return deliverNow(requireWebhook(), typeOf(payload), payload, null);
    }

    // ---- introspection ------------------------------------------------------------------------

    /** Every event raised or sent, oldest first, with the endpoint's answer. */
    public List<SentEvent> events() {
        return List.copyOf(sentEvents);
    }

    public List<String> eventTypes() {
        return sentEvents.stream().map(SentEvent::type).toList();
    }

    /** Every {@code /v1} call, oldest first. */
    public List<ApiRequest> requests() {
        return List.copyOf(requests);
    }

    public Optional<JsonNode> customer(String customerId) {
        synchronized (lock) {
            return Optional.ofNullable(customers.get(customerId)).map(ObjectNode::deepCopy);
        }
    }

    public Optional<JsonNode> checkoutSession(String checkoutSessionId) {
        synchronized (lock) {
            return Optional.ofNullable(checkoutSessions.get(checkoutSessionId)).map(ObjectNode::deepCopy);
        }
    }

    /** The customer's subscriptions, oldest first, ended ones included. */
    public List<JsonNode> subscriptions(String customerId) {
        synchronized (lock) {
            return subscriptions.values().stream()
                    .filter(subscription ->
                            subscription.get("customer").asString().equals(customerId))
                    .map(subscription -> (JsonNode) subscription.deepCopy())
                    .toList();
        }
    }

    /**
     * Waits until every event raised so far went out (API calls send theirs in the background).
     * Deliveries are sent one at a time in order, so this waits behind them.
     */
    public void awaitDeliveries() {
        await(List.of(CompletableFuture.supplyAsync(() -> null, delivery)));
    }

    /**
     * Forgets all objects, events and records, after the events already raised went out; keeps the
     * webhook and public URL settings.
     */
    public void reset() {
        awaitDeliveries();
        synchronized (lock) {
            customers.clear();
            deletedCustomers.clear();
            checkoutSessions.clear();
            checkoutLines.clear();
            portalSessions.clear();
            subscriptions.clear();
            invoices.clear();
            events.clear();
            idempotentCalls.clear();
            changes.reset();
            sentEvents.clear();
            requests.clear();
        }
    }

    @Override
    public void close() {
        server.close();
        delivery.shutdownNow();
        http.close();
    }

    // ---- HTTP ---------------------------------------------------------------------------------

    private void handle(HttpExchange exchange, byte[] body) throws IOException {
        if (exchange.getRequestURI().getRawPath().startsWith("/v1/")) {
            api(exchange, new String(body, StandardCharsets.UTF_8));
        } else {
            page(exchange);
        }
    }

    private void api(HttpExchange exchange, String body) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        String requestId = StripeObjects.newId("req");
        String idempotencyKey = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        Map<String, String> params = new LinkedHashMap<>(
                StripeForm.parse(exchange.getRequestURI().getRawQuery()).params());
        params.putAll(StripeForm.parse(body).params());
        StripeForm form = new StripeForm(params);

        exchange.getResponseHeaders().set("Request-Id", requestId);
        String version = exchange.getRequestHeaders().getFirst("Stripe-Version");
        exchange.getResponseHeaders().set("Stripe-Version", version == null ? API_VERSION : version);

        Reply reply;
        boolean replayed = false;
        String authProblem = authProblem(exchange.getRequestHeaders().getFirst("Authorization"));
        if (authProblem != null) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"Stripe\"");
            reply = new Reply(401, StripeObjects.error("invalid_request_error", null, authProblem, null));
        } else {
            synchronized (lock) {
                IdempotentCall earlier =
                        method.equals("POST") && idempotencyKey != null ? idempotentCalls.get(idempotencyKey) : null;
                if (earlier != null) {
                    if (earlier.method().equals(method)
                            && earlier.path().equals(path)
                            && earlier.params().equals(form.params())) {
                        reply = earlier.reply();
                        replayed = true;
                    } else {
                        reply = new Reply(
                                400,
                                StripeObjects.error(
                                        "idempotency_error",
                                        null,
                                        "Keys for idempotent requests can only be used with the same parameters they"
                                                + " were first used with. Try using a key other than '"
                                                + idempotencyKey + "' if you meant to execute a different request.",
                                        null));
                    }
                } else {
                    reply = dispatch(exchange, method, path, form, new Origin(requestId, idempotencyKey));
                    if (method.equals("POST") && idempotencyKey != null && reply.successful()) {
                        idempotentCalls.put(idempotencyKey, new IdempotentCall(method, path, form.params(), reply));
                    }
                }
            }
        }
        if (replayed) {
            exchange.getResponseHeaders().set("Idempotent-Replayed", "true");
        }
        requests.add(new ApiRequest(method, path, form.params(), idempotencyKey, reply.status(), clock.instant()));
        sendJson(exchange, reply.status(), reply.body());
    }

    /** Runs under the lock. */
    private Reply dispatch(HttpExchange exchange, String method, String path, StripeForm form, Origin origin) {
        List<String> segments = Arrays.stream(path.substring("/v1/".length()).split("/"))
                .filter(segment -> !segment.isEmpty())
                .toList();
        try {
            JsonNode answer = route(exchange, method, segments, form, origin);
            if (answer == null) {
                return new Reply(
                        404,
                        StripeObjects.error(
                                "invalid_request_error",
                                null,
                                "Unrecognized request URL (" + method + ": " + path + "). Please see"
                                        + " https://stripe.com/docs or we can help at https://support.stripe.com/.",
                                null));
            }
            return new Reply(200, answer);
        } catch (StripeFailure failure) {
            return new Reply(
                    failure.status,
                    StripeObjects.error(failure.type, failure.code, failure.getMessage(), failure.param));
        }
    }

    private static final List<String> ROUTES = List.of(
            "customers",
            "customers/{id}",
            "checkout/sessions",
            "checkout/sessions/{id}",
            "billing_portal/sessions",
            "subscriptions",
            "subscriptions/{id}",
            "invoices/{id}",
            "events/{id}");

    /** The answer, or null for an unknown route. */
    private JsonNode route(
            HttpExchange exchange, String method, List<String> segments, StripeForm form, Origin origin) {
        JsonNode changed = changes.route(method, segments, form, origin);
        if (changed != null) {
            return changed;
        }
        String template = ROUTES.stream()
                .filter(candidate -> matches(candidate, segments))
                .findFirst()
                .orElse(null);
        if (template == null) {
            return null;
        }
        String id = segments.getLast();
        return switch (method + " " + template) {
            case "POST customers" -> createCustomer(form, origin);
            case "GET customers/{id}" -> retrieveCustomer(id);
            case "POST customers/{id}" -> updateCustomer(id, form, origin);
            case "DELETE customers/{id}" -> deleteCustomer(id, origin);
            case "POST checkout/sessions" -> createCheckoutSession(exchange, form);
            case "GET checkout/sessions/{id}" ->
                known(checkoutSessions, "checkout.session", id).deepCopy();
            case "POST billing_portal/sessions" -> createPortalSession(exchange, form);
            case "GET subscriptions" -> listSubscriptions(form);
            case "GET subscriptions/{id}" ->
                known(subscriptions, "subscription", id).deepCopy();
            case "POST subscriptions/{id}" -> updateSubscription(id, form, origin);
            case "DELETE subscriptions/{id}" -> cancelSubscription(id, form, origin);
            case "GET invoices/{id}" -> known(invoices, "invoice", id).deepCopy();
            case "GET events/{id}" -> known(events, "event", id).deepCopy();
            default -> null;
        };
    }

    private static boolean matches(String template, List<String> segments) {
        String[] parts = template.split("/");
        if (parts.length != segments.size()) {
            return false;
        }
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].equals("{id}") && !parts[i].equals(segments.get(i))) {
                return false;
            }
        }
        return true;
    }

    // ---- customers ----------------------------------------------------------------------------

    private JsonNode createCustomer(StripeForm form, Origin origin) {
        warnUnknown(form, "customers", Set.of("email", "name", "description", "phone"), "metadata");
        ObjectNode customer = StripeObjects.customer(StripeObjects.newId("cus"), now(), form);
        customers.put(customer.get("id").asString(), customer);
        emit("customer.created", customer, null, origin);
        return customer.deepCopy();
    }

    private JsonNode retrieveCustomer(String id) {
        if (deletedCustomers.contains(id)) {
            return StripeObjects.deletedCustomer(id);
        }
        return known(customers, "customer", id).deepCopy();
    }

    private JsonNode updateCustomer(String id, StripeForm form, Origin origin) {
        warnUnknown(form, "customers/{id}", Set.of("email", "name", "description", "phone"), "metadata");
        ObjectNode customer = known(customers, "customer", id);
        ObjectNode before = customer.deepCopy();
        for (String field : List.of("email", "name", "description", "phone")) {
            if (form.has(field)) {
                String value = form.get(field);
                if (value.isEmpty()) {
                    customer.putNull(field);
                } else {
                    customer.put(field, value);
                }
            }
        }
        StripeObjects.updateMetadata(customer, form);
        ObjectNode previous = StripeObjects.previousAttributes(before, customer);
        if (!previous.isEmpty()) {
            emit("customer.updated", customer, previous, origin);
        }
        return customer.deepCopy();
    }

    private JsonNode deleteCustomer(String id, Origin origin) {
        ObjectNode customer = known(customers, "customer", id);
        for (ObjectNode subscription : subscriptions.values()) {
            if (subscription.get("customer").asString().equals(id) && isLive(subscription)) {
                endSubscription(subscription, origin, null, null);
            }
        }
        customers.remove(id);
        deletedCustomers.add(id);
        emit("customer.deleted", customer, null, origin);
        return StripeObjects.deletedCustomer(id);
    }

    // ---- checkout and portal ------------------------------------------------------------------

    private JsonNode createCheckoutSession(HttpExchange exchange, StripeForm form) {
        warnUnknown(
                form,
                "checkout/sessions",
                Set.of(
                        "mode",
                        "customer",
                        "customer_email",
                        "client_reference_id",
                        "success_url",
                        "cancel_url",
                        "locale",
                        "line_items[0][price]",
                        "line_items[0][quantity]"),
                "metadata",
                "subscription_data[metadata]");
        String mode = form.get("mode");
        if (mode == null || mode.isEmpty()) {
            throw StripeFailure.invalid("parameter_missing", "Missing required param: mode.", "mode");
        }
        if (!mode.equals("subscription")) {
            throw StripeFailure.invalid(
                    null, "The Stripe emulator supports Checkout Sessions in subscription mode only.", "mode");
        }
        String priceId = form.get("line_items[0][price]");
        if (priceId == null || priceId.isEmpty()) {
            throw StripeFailure.invalid(
                    "parameter_missing",
                    "Missing required param: line_items[0][price]. In subscription mode a line item with a"
                            + " recurring price is required.",
                    "line_items[0][price]");
        }
        if (form.params().keySet().stream().anyMatch(key -> key.startsWith("line_items[1]"))) {
            throw StripeFailure.invalid(null, "The Stripe emulator supports one line item only.", "line_items");
        }
        long quantity = 1;
        String rawQuantity = form.get("line_items[0][quantity]");
        if (rawQuantity != null) {
            try {
                quantity = Long.parseLong(rawQuantity);
            } catch (NumberFormatException e) {
                quantity = 0;
            }
            if (quantity < 1) {
                throw StripeFailure.invalid(
                        "parameter_invalid_integer",
                        "Invalid positive integer: " + rawQuantity,
                        "line_items[0][quantity]");
            }
        }
        String customerId = form.get("customer");
        if (customerId != null && !customers.containsKey(customerId)) {
            throw new StripeFailure(
                    400,
                    "invalid_request_error",
                    "resource_missing",
                    "No such customer: '" + customerId + "'",
                    "customer");
        }
        String id = StripeObjects.newId("cs_test", 58);
        String url = pageBase(exchange) + "/checkout/" + id;
        ObjectNode session = StripeObjects.checkoutSession(id, now(), customerId, form, priceId, quantity, url);
        checkoutSessions.put(id, session);
        checkoutLines.put(id, new CheckoutLine(priceId, quantity, form.hash("subscription_data[metadata]")));
        return session.deepCopy();
    }

    private JsonNode createPortalSession(HttpExchange exchange, StripeForm form) {
        warnUnknown(form, "billing_portal/sessions", Set.of("customer", "return_url", "locale"));
        String customerId = form.get("customer");
        if (customerId == null || customerId.isEmpty()) {
            throw StripeFailure.invalid("parameter_missing", "Missing required param: customer.", "customer");
        }
        if (!customers.containsKey(customerId)) {
            throw new StripeFailure(
                    400,
                    "invalid_request_error",
                    "resource_missing",
                    "No such customer: '" + customerId + "'",
                    "customer");
        }
        String id = StripeObjects.newId("bps", 24);
        String url = pageBase(exchange) + "/portal/" + id;
        ObjectNode session = StripeObjects.portalSession(id, now(), customerId, form.get("return_url"), url);
        portalSessions.put(id, session);
        return session.deepCopy();
    }

    /** Under the lock: the checkout page's work. Nothing happens for a session already complete. */
    private List<CompletableFuture<SentEvent>> payCheckout(ObjectNode session) {
        if (session.get("status").asString().equals("expired")) {
            throw new IllegalStateException(
                    "checkout session " + session.get("id").asString() + " has expired");
        }
        if (!session.get("status").asString().equals("open")) {
            return List.of();
        }
        List<CompletableFuture<SentEvent>> pending = new ArrayList<>();
        String sessionId = session.get("id").asString();
        JsonNode customerField = session.get("customer");
        ObjectNode customer;
        if (customerField.isNull()) {
            StripeForm details = new StripeForm(Map.of(
                    "email",
                    session.get("customer_email").isNull()
                            ? "customer@example.test"
                            : session.get("customer_email").asString()));
            customer = StripeObjects.customer(StripeObjects.newId("cus"), now(), details);
            customers.put(customer.get("id").asString(), customer);
            pending.add(emit("customer.created", customer, null, Origin.AUTOMATIC));
        } else {
            customer = customers.get(customerField.asString());
            if (customer == null) {
                throw new IllegalStateException("the customer of checkout session " + sessionId + " was deleted");
            }
        }
        CheckoutLine line = checkoutLines.get(sessionId);
        long now = now();
        ObjectNode subscription = StripeObjects.subscription(
                StripeObjects.newId("sub"),
                customer.get("id").asString(),
                line.priceId(),
                line.quantity(),
                line.subscriptionMetadata(),
                now,
                now + StripeObjects.PERIOD);
        subscriptions.put(subscription.get("id").asString(), subscription);
        ObjectNode invoice = raiseInvoice(subscription, "subscription_create", now, now + StripeObjects.PERIOD, true);
        StripeObjects.completeCheckoutSession(
                session, customer, subscription.get("id").asString());

        pending.add(emit("checkout.session.completed", session, null, Origin.AUTOMATIC));
        pending.add(emit("customer.subscription.created", subscription, null, Origin.AUTOMATIC));
        pending.add(emit("invoice.paid", invoice, null, Origin.AUTOMATIC));
        return pending;
    }

    // ---- subscriptions ------------------------------------------------------------------------

    private JsonNode listSubscriptions(StripeForm form) {
        warnUnknown(form, "subscriptions", Set.of("customer", "status", "price", "limit", "starting_after"));
        String status = form.get("status");
        if (status != null && !LIST_STATUSES.contains(status)) {
            throw StripeFailure.invalid(
                    null,
                    "Invalid status: must be one of "
                            + String.join(", ", LIST_STATUSES.stream().sorted().toList()),
                    "status");
        }
        int limit = 10;
        if (form.get("limit") != null) {
            try {
                limit = Integer.parseInt(form.get("limit"));
            } catch (NumberFormatException e) {
                limit = 0;
            }
            if (limit < 1 || limit > 100) {
                throw StripeFailure.invalid(null, "Invalid integer: limit must be between 1 and 100", "limit");
            }
        }
        String customer = form.get("customer");
        String price = form.get("price");
        List<ObjectNode> matching = subscriptions.values().stream()
                .filter(subscription -> customer == null
                        || subscription.get("customer").asString().equals(customer))
                .filter(subscription -> price == null
                        || StripeObjects.firstItem(subscription)
                                .get("price")
                                .get("id")
                                .asString()
                                .equals(price))
                .filter(subscription -> statusMatches(subscription.get("status").asString(), status))
                .toList()
                .reversed();
        String startingAfter = form.get("starting_after");
        if (startingAfter != null) {
            int index = -1;
            for (int i = 0; i < matching.size(); i++) {
                if (matching.get(i).get("id").asString().equals(startingAfter)) {
                    index = i;
                }
            }
            matching = matching.subList(index + 1, matching.size());
        }
        boolean hasMore = matching.size() > limit;
        return StripeObjects.list("/v1/subscriptions", matching.subList(0, Math.min(limit, matching.size())), hasMore);
    }

    private static boolean statusMatches(String actual, String wanted) {
        if (wanted == null) {
            return !actual.equals("canceled") && !actual.equals("incomplete_expired");
        }
        return switch (wanted) {
            case "all" -> true;
            case "ended" -> actual.equals("canceled") || actual.equals("incomplete_expired");
            default -> actual.equals(wanted);
        };
    }

    private JsonNode updateSubscription(String id, StripeForm form, Origin origin) {
        warnUnknown(
                form,
                "subscriptions/{id}",
                Set.of("cancel_at_period_end", "cancellation_details[comment]", "cancellation_details[feedback]"),
                "metadata");
        ObjectNode subscription = known(subscriptions, "subscription", id);
        if (!isLive(subscription) && form.has("cancel_at_period_end")) {
            throw StripeFailure.invalid(
                    null,
                    "A canceled subscription can only update its cancellation_details and metadata.",
                    "cancel_at_period_end");
        }
        ObjectNode before = subscription.deepCopy();
        if (form.has("cancel_at_period_end")) {
            boolean cancel = parseBoolean(form, "cancel_at_period_end");
            applyCancellationSchedule(subscription, cancel);
        }
        applyCancellationDetails(subscription, form);
        StripeObjects.updateMetadata(subscription, form);
        ObjectNode previous = StripeObjects.previousAttributes(before, subscription);
        if (!previous.isEmpty()) {
            emit("customer.subscription.updated", subscription, previous, origin);
        }
        return subscription.deepCopy();
    }

    private JsonNode cancelSubscription(String id, StripeForm form, Origin origin) {
        warnUnknown(
                form,
                "subscriptions/{id} (cancel)",
                Set.of("cancellation_details[comment]", "cancellation_details[feedback]", "invoice_now", "prorate"));
        ObjectNode subscription = known(subscriptions, "subscription", id);
        if (!isLive(subscription)) {
            // What Stripe answers for a subscription that already ended.
            throw StripeFailure.missing("subscription", id, "id");
        }
        endSubscription(
                subscription,
                origin,
                form.get("cancellation_details[comment]"),
                form.get("cancellation_details[feedback]"));
        return subscription.deepCopy();
    }

    // ---- lifecycle (under the lock) -----------------------------------------------------------

    private List<SentEvent> drive(String customerId, Function<ObjectNode, List<CompletableFuture<SentEvent>>> action) {
        List<CompletableFuture<SentEvent>> pending;
        synchronized (lock) {
            ObjectNode subscription = subscriptions.values().stream()
                    .filter(candidate -> candidate.get("customer").asString().equals(customerId))
                    .filter(StripeEmulator::isLive)
                    .reduce((first, second) -> second)
                    .orElseThrow(() -> new IllegalStateException(
                            "customer " + customerId + " has no subscription that has not ended"));
            pending = action.apply(subscription);
        }
        return await(pending);
    }

    private List<CompletableFuture<SentEvent>> failPayment(ObjectNode subscription) {
        ObjectNode open = openInvoice(subscription);
        if (open != null) {
            open.put("attempt_count", open.get("attempt_count").asLong() + 1);
            open.put("next_payment_attempt", now() + 3 * StripeObjects.DAY);
            return List.of(emit("invoice.payment_failed", open, null, Origin.AUTOMATIC));
        }
        ObjectNode before = subscription.deepCopy();
        long start = StripeObjects.periodEnd(subscription);
        long end = start + StripeObjects.PERIOD;
        StripeObjects.setPeriod(subscription, start, end);
        ObjectNode invoice = raiseInvoice(subscription, "subscription_cycle", start, end, false);
        subscription.put("status", "past_due");
        setDelinquent(subscription, true);
        return List.of(
                emit("invoice.payment_failed", invoice, null, Origin.AUTOMATIC),
                emit(
                        "customer.subscription.updated",
                        subscription,
                        StripeObjects.previousAttributes(before, subscription),
                        Origin.AUTOMATIC));
    }

    private List<CompletableFuture<SentEvent>> payOpenInvoice(ObjectNode subscription) {
        ObjectNode open = openInvoice(subscription);
        if (open == null) {
            throw new IllegalStateException(
                    "subscription " + subscription.get("id").asString() + " has no open invoice");
        }
        ObjectNode before = subscription.deepCopy();
        StripeObjects.markInvoicePaid(open, now());
        subscription.put("status", "active");
        setDelinquent(subscription, false);
        List<CompletableFuture<SentEvent>> pending = new ArrayList<>();
        pending.add(emit("invoice.paid", open, null, Origin.AUTOMATIC));
        ObjectNode previous = StripeObjects.previousAttributes(before, subscription);
        if (!previous.isEmpty()) {
            pending.add(emit("customer.subscription.updated", subscription, previous, Origin.AUTOMATIC));
        }
        return pending;
    }

    private List<CompletableFuture<SentEvent>> renewSubscription(ObjectNode subscription) {
        if (subscription.get("cancel_at_period_end").asBoolean()) {
            return endSubscription(subscription, Origin.AUTOMATIC, null, null);
        }
        ObjectNode before = subscription.deepCopy();
        changes.beforeRenewal(subscription);
        long start = StripeObjects.periodEnd(subscription);
        long end = start + StripeObjects.PERIOD;
        StripeObjects.setPeriod(subscription, start, end);
        ObjectNode invoice = raiseInvoice(subscription, "subscription_cycle", start, end, true);
        subscription.put("status", "active");
        setDelinquent(subscription, false);
        return List.of(
                emit("invoice.paid", invoice, null, Origin.AUTOMATIC),
                emit(
                        "customer.subscription.updated",
                        subscription,
                        StripeObjects.previousAttributes(before, subscription),
                        Origin.AUTOMATIC));
    }

    private List<CompletableFuture<SentEvent>> scheduleCancellation(
            ObjectNode subscription, boolean cancel, Origin origin) {
        ObjectNode before = subscription.deepCopy();
        applyCancellationSchedule(subscription, cancel);
        ObjectNode previous = StripeObjects.previousAttributes(before, subscription);
        if (previous.isEmpty()) {
            return List.of();
        }
        return List.of(emit("customer.subscription.updated", subscription, previous, origin));
    }

    private void applyCancellationSchedule(ObjectNode subscription, boolean cancel) {
        if (subscription.get("cancel_at_period_end").asBoolean() == cancel) {
            return;
        }
        ObjectNode details = (ObjectNode) subscription.get("cancellation_details");
        subscription.put("cancel_at_period_end", cancel);
        if (cancel) {
            subscription.put("cancel_at", StripeObjects.periodEnd(subscription));
            subscription.put("canceled_at", now());
            details.put("reason", "cancellation_requested");
        } else {
            subscription.putNull("cancel_at");
            subscription.putNull("canceled_at");
            details.putNull("reason");
        }
    }

    private void applyCancellationDetails(ObjectNode subscription, StripeForm form) {
        ObjectNode details = (ObjectNode) subscription.get("cancellation_details");
        for (String field : List.of("comment", "feedback")) {
            String value = form.get("cancellation_details[" + field + "]");
            if (value != null) {
                if (value.isEmpty()) {
                    details.putNull(field);
                } else {
                    details.put(field, value);
                }
            }
        }
    }

    private List<CompletableFuture<SentEvent>> endSubscription(
            ObjectNode subscription, Origin origin, String comment, String feedback) {
        long now = now();
        subscription.put("status", "canceled");
        if (subscription.get("canceled_at").isNull()) {
            subscription.put("canceled_at", now);
        }
        subscription.put("ended_at", now);
        subscription.put("cancel_at_period_end", false);
        subscription.putNull("cancel_at");
        ObjectNode details = (ObjectNode) subscription.get("cancellation_details");
        details.put("reason", "cancellation_requested");
        if (comment != null) {
            details.put("comment", comment);
        }
        if (feedback != null) {
            details.put("feedback", feedback);
        }
        return List.of(emit("customer.subscription.deleted", subscription, null, origin));
    }

    ObjectNode raiseInvoice(
            ObjectNode subscription, String billingReason, long serviceStart, long serviceEnd, boolean paid) {
        ObjectNode customer = customers.get(subscription.get("customer").asString());
        String number;
        if (customer != null) {
            long sequence = customer.get("next_invoice_sequence").asLong();
            number = customer.get("invoice_prefix").asString() + "-" + String.format("%04d", sequence);
            customer.put("next_invoice_sequence", sequence + 1);
        } else {
            number = "EMULATOR-" + String.format("%04d", invoices.size() + 1);
        }
        ObjectNode invoice = StripeObjects.invoice(
                StripeObjects.newId("in", 24),
                now(),
                subscription,
                customer,
                number,
                billingReason,
                serviceStart,
                serviceEnd,
                paid);
        invoices.put(invoice.get("id").asString(), invoice);
        subscription.put("latest_invoice", invoice.get("id").asString());
        return invoice;
    }

    ObjectNode openInvoice(ObjectNode subscription) {
        JsonNode latest = subscription.get("latest_invoice");
        if (latest.isNull()) {
            return null;
        }
        ObjectNode invoice = invoices.get(latest.asString());
        return invoice != null && invoice.get("status").asString().equals("open") ? invoice : null;
    }

    private void setDelinquent(ObjectNode subscription, boolean delinquent) {
        ObjectNode customer = customers.get(subscription.get("customer").asString());
        if (customer != null) {
            customer.put("delinquent", delinquent);
        }
    }

    static boolean isLive(ObjectNode subscription) {
        return LIVE_STATUSES.contains(subscription.get("status").asString());
    }

    // ---- events -------------------------------------------------------------------------------

    /** Under the lock: raises an event about a snapshot of the object and queues its delivery. */
    CompletableFuture<SentEvent> emit(String type, JsonNode object, ObjectNode previous, Origin origin) {
        Webhook target = webhook;
        boolean send = target != null && target.wants(type);
        ObjectNode event = StripeObjects.event(
                StripeObjects.newId("evt", 24),
                type,
                now(),
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
                                NOT_SENT,
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
        String id = idOf(payload);
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
            sent = new SentEvent(id, type, payload, UNREACHABLE, e.toString(), clock.instant());
            log.warn("webhook endpoint {} unreachable for {} {}: {}", target.endpoint(), type, id, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sent = new SentEvent(id, type, payload, UNREACHABLE, "interrupted", clock.instant());
        }
        sentEvents.add(sent);
        return sent;
    }

    private List<SentEvent> await(List<CompletableFuture<SentEvent>> pending) {
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
        try {
            JsonNode type = json.readTree(payload).get("type");
            return type == null ? null : type.asString();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private String idOf(String payload) {
        try {
            JsonNode id = json.readTree(payload).get("id");
            return id == null ? null : id.asString();
        } catch (RuntimeException e) {
            return null;
        }
    }

    // ---- pages --------------------------------------------------------------------------------

    private void page(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> path = HttpAnswers.pathSegments(exchange);
        if (path.size() == 2 && path.get(0).equals("checkout") && method.equals("GET")) {
            checkoutPage(exchange, path.get(1));
        } else if (path.size() == 2 && path.get(0).equals("portal") && method.equals("GET")) {
            portalPage(exchange, path.get(1));
        } else if (path.size() == 3 && path.get(0).equals("portal") && method.equals("POST")) {
            portalAction(exchange, path.get(1), path.get(2));
        } else {
            sendHtml(exchange, 404, "Not found", "<p>The Stripe emulator has no page here.</p>");
        }
    }

    private void checkoutPage(HttpExchange exchange, String sessionId) throws IOException {
        List<CompletableFuture<SentEvent>> pending;
        String successUrl;
        synchronized (lock) {
            ObjectNode session = checkoutSessions.get(sessionId);
            if (session == null) {
                sendHtml(
                        exchange,
                        404,
                        "Checkout session not found",
                        "<p>No checkout session " + html(sessionId) + ".</p>");
                return;
            }
            try {
                pending = payCheckout(session);
            } catch (IllegalStateException e) {
                sendHtml(exchange, 409, "Checkout failed", "<p>" + html(e.getMessage()) + "</p>");
                return;
            }
            JsonNode success = session.get("success_url");
            successUrl = success.isNull() ? null : success.asString().replace("{CHECKOUT_SESSION_ID}", sessionId);
        }
        List<SentEvent> sent = await(pending);
        if (successUrl != null) {
            HttpAnswers.seeOther(exchange, successUrl);
            return;
        }
        if (pending.isEmpty()) {
            sendHtml(exchange, 200, "Payment complete", "<p>This checkout session was already paid.</p>");
            return;
        }
        StringBuilder body = new StringBuilder("<p>Subscription paid (emulated). Events sent:</p><ul>");
        sent.forEach(event -> body.append("<li>")
                .append(html(event.type()))
                .append(" → ")
                .append(event.status())
                .append("</li>"));
        sendHtml(exchange, 200, "Payment complete", body.append("</ul>").toString());
    }

    private void portalPage(HttpExchange exchange, String portalSessionId) throws IOException {
        StringBuilder body = new StringBuilder();
        synchronized (lock) {
            ObjectNode session = portalSessions.get(portalSessionId);
            if (session == null) {
                sendHtml(
                        exchange,
                        404,
                        "Portal session not found",
                        "<p>No portal session " + html(portalSessionId) + ".</p>");
                return;
            }
            String customerId = session.get("customer").asString();
            body.append("<p>Customer ").append(html(customerId)).append("</p>");
            List<ObjectNode> owned = subscriptions.values().stream()
                    .filter(subscription ->
                            subscription.get("customer").asString().equals(customerId))
                    .toList();
            if (owned.isEmpty()) {
                body.append("<p>No subscriptions.</p>");
            }
            body.append("<ul>");
            for (ObjectNode subscription : owned) {
                body.append("<li>")
                        .append(html(subscription.get("id").asString()))
                        .append(": ")
                        .append(html(StripeObjects.firstItem(subscription)
                                .get("price")
                                .get("id")
                                .asString()))
                        .append(", <b>")
                        .append(html(subscription.get("status").asString()))
                        .append("</b>, period ends ")
                        .append(Instant.ofEpochSecond(StripeObjects.periodEnd(subscription)))
                        .append(subscription.get("cancel_at_period_end").asBoolean() ? ", cancels at period end" : "")
                        .append("</li>");
            }
            body.append("</ul>");
            String action = "/portal/" + html(portalSessionId) + "/";
            body.append("<form method=post action=\"")
                    .append(action)
                    .append("cancel\"><button>Cancel plan</button></form>");
            body.append("<form method=post action=\"")
                    .append(action)
                    .append("resume\"><button>Don't cancel</button></form>");
            body.append("<h2>Emulator controls</h2>");
            for (String[] control : List.of(
                    new String[] {"renew", "End the period (renew)"},
                    new String[] {"fail-payment", "Fail the next payment"},
                    new String[] {"pay-invoice", "Pay the open invoice"},
                    new String[] {"cancel-now", "Cancel now"})) {
                body.append("<form method=post action=\"")
                        .append(action)
                        .append(control[0])
                        .append("\"><button>")
                        .append(control[1])
                        .append("</button></form>");
            }
            JsonNode returnUrl = session.get("return_url");
            if (!returnUrl.isNull()) {
                body.append("<p><a href=\"").append(html(returnUrl.asString())).append("\">Return</a></p>");
            }
        }
        sendHtml(exchange, 200, "Billing portal (Stripe emulator)", body.toString());
    }

    private void portalAction(HttpExchange exchange, String portalSessionId, String action) throws IOException {
        String customerId;
        synchronized (lock) {
            ObjectNode session = portalSessions.get(portalSessionId);
            if (session == null) {
                sendHtml(
                        exchange,
                        404,
                        "Portal session not found",
                        "<p>No portal session " + html(portalSessionId) + ".</p>");
                return;
            }
            customerId = session.get("customer").asString();
        }
        try {
            switch (action) {
                case "cancel" -> cancelAtPeriodEnd(customerId, true);
                case "resume" -> cancelAtPeriodEnd(customerId, false);
                case "renew" -> renew(customerId);
                case "fail-payment" -> failNextPayment(customerId);
                case "pay-invoice" -> payInvoice(customerId);
                case "cancel-now" -> cancelNow(customerId);
                default -> {
                    sendHtml(exchange, 404, "Unknown action", "<p>No portal action " + html(action) + ".</p>");
                    return;
                }
            }
        } catch (IllegalStateException e) {
            sendHtml(exchange, 409, "Not possible", "<p>" + html(e.getMessage()) + "</p>");
            return;
        }
        HttpAnswers.seeOther(exchange, "/portal/" + URLEncoder.encode(portalSessionId, StandardCharsets.UTF_8));
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Null when the header carries a secret or restricted key, else Stripe's 401 message. */
    static String authProblem(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return "You did not provide an API key. You need to provide your API key in the Authorization header,"
                    + " using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See"
                    + " https://stripe.com/docs/api#authentication for details, or we can help at"
                    + " https://support.stripe.com/.";
        }
        String key = null;
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = authorization.substring(7).trim();
        } else if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(
                        Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                key = decoded.contains(":") ? decoded.substring(0, decoded.indexOf(':')) : decoded;
            } catch (IllegalArgumentException e) {
                key = "";
            }
        }
        if (key != null && (key.startsWith("sk_") || key.startsWith("rk_")) && key.length() > 3) {
            return null;
        }
        return "Invalid API Key provided: " + redact(key == null ? authorization : key);
    }

    private static String redact(String key) {
        if (key.length() <= 12) {
            return "*".repeat(key.length());
        }
        return key.substring(0, 8) + "*".repeat(key.length() - 12) + key.substring(key.length() - 4);
    }

    static ObjectNode known(Map<String, ObjectNode> objects, String kind, String id) {
        ObjectNode object = objects.get(id);
        if (object == null) {
            throw StripeFailure.missing(kind, id, "id");
        }
        return object;
    }

    private static boolean parseBoolean(StripeForm form, String name) {
        String value = form.get(name);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw StripeFailure.invalid(null, "Invalid boolean: " + value, name);
        };
    }

    /** Logs the parameters the emulator ignores (they are still recorded in {@link #requests()}). */
    private static void warnUnknown(StripeForm form, String endpoint, Set<String> known, String... hashes) {
        for (String key : form.params().keySet()) {
            boolean inHash = Arrays.stream(hashes).anyMatch(hash -> key.equals(hash) || key.startsWith(hash + "["));
            if (!known.contains(key) && !inHash && !key.startsWith("expand[")) {
                log.warn("Stripe emulator ignores parameter {} on {}", key, endpoint);
            }
        }
    }

    private String pageBase(HttpExchange exchange) {
        URI configured = publicBaseUrl;
        if (configured != null) {
            String base = configured.toString();
            return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        }
        return server.baseUrlSeenBy(exchange);
    }

    long now() {
        return clock.instant().getEpochSecond();
    }

    private static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        HttpAnswers.json(exchange, status, body);
    }

    private static void sendHtml(HttpExchange exchange, int status, String title, String body) throws IOException {
        HttpAnswers.html(exchange, status, title, body);
    }

    private static String html(String text) {
        return HttpAnswers.escape(text);
    }
}
