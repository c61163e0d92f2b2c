package com.figureforge.devstack.stripe;

import com.figureforge.devstack.http.HttpAnswers;
import com.figureforge.devstack.http.LoopbackHttpServer;
import com.figureforge.devstack.stripe.StripeEmulator.SentEvent;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Stripe emulator's browser pages: {@code GET /checkout/{session}} pays and redirects to the
 * session's success URL; {@code GET /portal/{session}} lists the customer's subscriptions with
 * buttons, each a {@code POST /portal/{session}/{action}} that runs one of the emulator's lifecycle
 * helpers and comes back to the portal.
 */
final class StripePages {

    private final StripeEmulator emulator;
    private final StripeLifecycle lifecycle;
    private final StripeWebhooks webhooks;
    private final LoopbackHttpServer server;
    private volatile URI publicBaseUrl;

    StripePages(
            StripeEmulator emulator, StripeLifecycle lifecycle, StripeWebhooks webhooks, LoopbackHttpServer server) {
        this.emulator = emulator;
        this.lifecycle = lifecycle;
        this.webhooks = webhooks;
        this.server = server;
    }

    void setPublicBaseUrl(URI publicBaseUrl) {
        this.publicBaseUrl = publicBaseUrl;
    }

    /** Where a browser reaches the pages: the public base URL if set, else the host the API client used. */
    String baseFor(HttpExchange exchange) {
        URI configured = publicBaseUrl;
        if (configured != null) {
            String base = configured.toString();
            return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        }
        return server.baseUrlSeenBy(exchange);
    }

    /** Serves one page request (anything outside {@code /v1}). */
    void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> path = HttpAnswers.pathSegments(exchange);
        if (path.size() == 2 && path.get(0).equals("checkout") && method.equals("GET")) {
            checkoutPage(exchange, path.get(1));
        } else if (path.size() == 2 && path.get(0).equals("portal") && method.equals("GET")) {
            portalPage(exchange, path.get(1));
        } else if (path.size() == 3 && path.get(0).equals("portal") && method.equals("POST")) {
            portalAction(exchange, path.get(1), path.get(2));
        } else {
            HttpAnswers.html(exchange, 404, "Not found", "<p>The Stripe emulator has no page here.</p>");
        }
    }

    private void checkoutPage(HttpExchange exchange, String sessionId) throws IOException {
        List<CompletableFuture<SentEvent>> pending;
        String successUrl;
        synchronized (lifecycle.lock) {
            ObjectNode session = lifecycle.checkoutSessions.get(sessionId);
            if (session == null) {
                sessionNotFound(exchange, "Checkout", sessionId);
                return;
            }
            try {
                pending = lifecycle.payCheckout(session);
            } catch (IllegalStateException e) {
                HttpAnswers.html(exchange, 409, "Checkout failed", "<p>" + escape(e.getMessage()) + "</p>");
                return;
            }
            JsonNode success = session.get("success_url");
            successUrl = success.isNull() ? null : success.asString().replace("{CHECKOUT_SESSION_ID}", sessionId);
        }
        List<SentEvent> sent = webhooks.await(pending);
        if (successUrl != null) {
            HttpAnswers.seeOther(exchange, successUrl);
            return;
        }
        if (pending.isEmpty()) {
            HttpAnswers.html(exchange, 200, "Payment complete", "<p>This checkout session was already paid.</p>");
            return;
        }
        StringBuilder body = new StringBuilder("<p>Subscription paid (emulated). Events sent:</p><ul>");
        sent.forEach(event -> body.append("<li>")
                .append(escape(event.type()))
                .append(" → ")
                .append(event.status())
                .append("</li>"));
        HttpAnswers.html(exchange, 200, "Payment complete", body.append("</ul>").toString());
    }

    private void portalPage(HttpExchange exchange, String portalSessionId) throws IOException {
        StringBuilder body = new StringBuilder();
        synchronized (lifecycle.lock) {
            ObjectNode session = portalSession(exchange, portalSessionId);
            if (session == null) {
                return;
            }
            String customerId = session.get("customer").asString();
            body.append("<p>Customer ").append(escape(customerId)).append("</p>");
            List<ObjectNode> owned = lifecycle.subscriptionsOf(customerId).toList();
            if (owned.isEmpty()) {
                body.append("<p>No subscriptions.</p>");
            }
            body.append("<ul>");
            for (ObjectNode subscription : owned) {
                body.append("<li>")
                        .append(escape(subscription.get("id").asString()))
                        .append(": ")
                        .append(escape(StripeSubscriptionObjects.firstItem(subscription)
                                .get("price")
                                .get("id")
                                .asString()))
                        .append(", <b>")
                        .append(escape(subscription.get("status").asString()))
                        .append("</b>, period ends ")
                        .append(Instant.ofEpochSecond(StripeSubscriptionObjects.periodEnd(subscription)))
                        .append(subscription.get("cancel_at_period_end").asBoolean() ? ", cancels at period end" : "")
                        .append("</li>");
            }
            body.append("</ul>");
            String action = "/portal/" + escape(portalSessionId) + "/";
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
                body.append("<p><a href=\"")
                        .append(escape(returnUrl.asString()))
                        .append("\">Return</a></p>");
            }
        }
        HttpAnswers.html(exchange, 200, "Billing portal (Stripe emulator)", body.toString());
    }

    private void portalAction(HttpExchange exchange, String portalSessionId, String action) throws IOException {
        String customerId;
        synchronized (lifecycle.lock) {
            ObjectNode session = portalSession(exchange, portalSessionId);
            if (session == null) {
                return;
            }
            customerId = session.get("customer").asString();
        }
        try {
            switch (action) {
                case "cancel" -> emulator.cancelAtPeriodEnd(customerId, true);
                case "resume" -> emulator.cancelAtPeriodEnd(customerId, false);
                case "renew" -> emulator.renew(customerId);
                case "fail-payment" -> emulator.failNextPayment(customerId);
                case "pay-invoice" -> emulator.payInvoice(customerId);
                case "cancel-now" -> emulator.cancelNow(customerId);
                default -> {
                    HttpAnswers.html(
                            exchange, 404, "Unknown action", "<p>No portal action " + escape(action) + ".</p>");
                    return;
                }
            }
        } catch (IllegalStateException e) {
            HttpAnswers.html(exchange, 409, "Not possible", "<p>" + escape(e.getMessage()) + "</p>");
            return;
        }
        HttpAnswers.seeOther(exchange, "/portal/" + URLEncoder.encode(portalSessionId, StandardCharsets.UTF_8));
    }

    /** Under the lock: the portal session, or null once a 404 page has been sent. */
    private ObjectNode portalSession(HttpExchange exchange, String portalSessionId) throws IOException {
        ObjectNode session = lifecycle.portalSessions.get(portalSessionId);
        if (session == null) {
            sessionNotFound(exchange, "Portal", portalSessionId);
        }
        return session;
    }

    /** The 404 page for an unknown checkout ({@code kind} "Checkout") or portal session. */
    private static void sessionNotFound(HttpExchange exchange, String kind, String id) throws IOException {
        HttpAnswers.html(
                exchange,
                404,
                kind + " session not found",
                "<p>No " + kind.toLowerCase(Locale.ROOT) + " session " + escape(id) + ".</p>");
    }

    private static String escape(String text) {
        return HttpAnswers.escape(text);
    }
}
