package com.figureforge.devstack.stripe;

import com.figureforge.devstack.http.HttpAnswers;
import com.figureforge.devstack.stripe.StripeEmulator.ApiRequest;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Stripe emulator's {@code /v1} API: authentication, {@code Idempotency-Key} replays, the
 * route table that hands each call to its handler, and Stripe's error shape for what fails. Every
 * call is recorded, answered or not.
 */
final class StripeApi {

    private record Reply(int status, JsonNode body) {
        boolean successful() {
            return status >= 200 && status < 300;
        }
    }

    private record IdempotentCall(String method, String path, Map<String, String> params, Reply reply) {}

    private final StripeLifecycle lifecycle;
    private final StripeWebhooks webhooks;
    private final StripePages pages;
    private final StripeApiHandlers handlers;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, IdempotentCall> idempotentCalls = new LinkedHashMap<>();
    private final List<ApiRequest> requests = new CopyOnWriteArrayList<>();

    StripeApi(StripeLifecycle lifecycle, StripeWebhooks webhooks, StripePages pages) {
        this.lifecycle = lifecycle;
        this.webhooks = webhooks;
        this.pages = pages;
        this.handlers = new StripeApiHandlers(lifecycle);
    }

    /** Every {@code /v1} call, oldest first. */
    List<ApiRequest> requests() {
        return List.copyOf(requests);
    }

    /** Under the lock. */
    void reset() {
        idempotentCalls.clear();
        requests.clear();
    }

    /** Serves one {@code /v1} call. */
    void handle(HttpExchange exchange, String body) throws IOException {
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
        exchange.getResponseHeaders().set("Stripe-Version", version == null ? StripeObjects.API_VERSION : version);

        Reply reply;
        boolean replayed = false;
        String authProblem = authProblem(exchange.getRequestHeaders().getFirst("Authorization"));
        if (authProblem != null) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"Stripe\"");
            reply = new Reply(401, StripeObjects.error("invalid_request_error", null, authProblem, null));
        } else {
            synchronized (lifecycle.lock) {
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
                    reply = dispatch(exchange, method, path, form, new EventOrigin(requestId, idempotencyKey));
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
        HttpAnswers.json(exchange, reply.status(), reply.body());
    }

    /** Runs under the lock. */
    private Reply dispatch(HttpExchange exchange, String method, String path, StripeForm form, EventOrigin origin) {
        List<String> withVersion = HttpAnswers.pathSegments(exchange);
        List<String> segments = withVersion.subList(1, withVersion.size());
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
            HttpExchange exchange, String method, List<String> segments, StripeForm form, EventOrigin origin) {
        JsonNode changed = lifecycle.changes.route(method, segments, form, origin);
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
            case "POST customers" -> handlers.createCustomer(form, origin);
            case "GET customers/{id}" -> handlers.retrieveCustomer(id);
            case "POST customers/{id}" -> handlers.updateCustomer(id, form, origin);
            case "DELETE customers/{id}" -> handlers.deleteCustomer(id, origin);
            case "POST checkout/sessions" -> handlers.createCheckoutSession(form, pages.baseFor(exchange));
            case "GET checkout/sessions/{id}" -> known(lifecycle.checkoutSessions, "checkout.session", id);
            case "POST billing_portal/sessions" -> handlers.createPortalSession(form, pages.baseFor(exchange));
            case "GET subscriptions" -> handlers.listSubscriptions(form);
            case "GET subscriptions/{id}" -> known(lifecycle.subscriptions, "subscription", id);
            case "POST subscriptions/{id}" -> handlers.updateSubscription(id, form, origin);
            case "DELETE subscriptions/{id}" -> handlers.cancelSubscription(id, form, origin);
            case "GET invoices/{id}" -> known(lifecycle.invoices, "invoice", id);
            case "GET events/{id}" -> webhooks.event(id);
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

    private static JsonNode known(Map<String, ObjectNode> objects, String kind, String id) {
        return StripeFailure.requireKnown(objects, kind, id).deepCopy();
    }
}
