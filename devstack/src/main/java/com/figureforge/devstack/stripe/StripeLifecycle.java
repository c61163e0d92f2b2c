package com.figureforge.devstack.stripe;

import com.figureforge.devstack.stripe.StripeEmulator.SentEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Stripe emulator's objects and their lifecycle: customers, checkout and portal sessions,
 * subscriptions and invoices, with the clock their timestamps come from. The API, the pages and the
 * Java helpers all change them here, under {@link #lock}, so every change and the events it raises
 * happen in one order.
 */
final class StripeLifecycle {

    /** What a paid checkout session turns into. */
    record CheckoutLine(String priceId, long quantity, Map<String, String> subscriptionMetadata) {}

    private static final Set<String> LIVE_STATUSES =
            Set.of("active", "past_due", "trialing", "unpaid", "incomplete", "paused");

    final Object lock = new Object();
    final Map<String, ObjectNode> customers = new LinkedHashMap<>();
    final Set<String> deletedCustomers = new HashSet<>();
    final Map<String, ObjectNode> checkoutSessions = new LinkedHashMap<>();
    final Map<String, CheckoutLine> checkoutLines = new LinkedHashMap<>();
    final Map<String, ObjectNode> portalSessions = new LinkedHashMap<>();
    final Map<String, ObjectNode> subscriptions = new LinkedHashMap<>();
    final Map<String, ObjectNode> invoices = new LinkedHashMap<>();
    final StripeSubscriptionChangesEmulation changes = new StripeSubscriptionChangesEmulation(this);
    private final StripeWebhooks webhooks;
    private final Clock clock = Clock.systemUTC();

    StripeLifecycle(StripeWebhooks webhooks) {
        this.webhooks = webhooks;
    }

    long now() {
        return clock.instant().getEpochSecond();
    }

    /** Under the lock: raises an event about a snapshot of the object, stamped now. */
    CompletableFuture<SentEvent> emit(String type, JsonNode object, ObjectNode previous, EventOrigin origin) {
        return webhooks.emit(type, object, previous, origin, now());
    }

    /**
     * Under the lock: raises an update event ({@code data.previous_attributes} = what changed since
     * {@code before}) when anything did; nothing otherwise, as Stripe sends no empty updates.
     */
    List<CompletableFuture<SentEvent>> emitIfChanged(
            String type, ObjectNode before, ObjectNode object, EventOrigin origin) {
        ObjectNode previous = StripeObjects.previousAttributes(before, object);
        return previous.isEmpty() ? List.of() : List.of(emit(type, object, previous, origin));
    }

    static boolean isLive(ObjectNode subscription) {
        return LIVE_STATUSES.contains(subscription.get("status").asString());
    }

    /** The subscriptions of one customer, oldest first. */
    Stream<ObjectNode> subscriptionsOf(String customerId) {
        return subscriptions.values().stream()
                .filter(subscription -> subscription.get("customer").asString().equals(customerId));
    }

    /** Under the lock. */
    void reset() {
        customers.clear();
        deletedCustomers.clear();
        checkoutSessions.clear();
        checkoutLines.clear();
        portalSessions.clear();
        subscriptions.clear();
        invoices.clear();
        changes.reset();
    }

    /** What opening the checkout page does; nothing for a session already paid. */
    List<SentEvent> completeCheckout(String checkoutSessionId) {
        List<CompletableFuture<SentEvent>> pending;
        synchronized (lock) {
            ObjectNode session = checkoutSessions.get(checkoutSessionId);
            if (session == null) {
                throw new IllegalStateException("no checkout session " + checkoutSessionId);
            }
            pending = payCheckout(session);
        }
        return webhooks.await(pending);
    }

    /** Under the lock: the checkout page's work. Nothing happens for a session already complete. */
    List<CompletableFuture<SentEvent>> payCheckout(ObjectNode session) {
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
            pending.add(emit("customer.created", customer, null, EventOrigin.AUTOMATIC));
        } else {
            customer = customers.get(customerField.asString());
            if (customer == null) {
                throw new IllegalStateException("the customer of checkout session " + sessionId + " was deleted");
            }
        }
        CheckoutLine line = checkoutLines.get(sessionId);
        long now = now();
        ObjectNode subscription = StripeSubscriptionObjects.subscription(
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

        pending.add(emit("checkout.session.completed", session, null, EventOrigin.AUTOMATIC));
        pending.add(emit("customer.subscription.created", subscription, null, EventOrigin.AUTOMATIC));
        pending.add(emit("invoice.paid", invoice, null, EventOrigin.AUTOMATIC));
        return pending;
    }

    // ---- lifecycle steps (under the lock) -----------------------------------------------------

    /**
     * Acts on the customer's latest subscription that has not ended, waits until the step's events
     * were delivered and returns them; IllegalStateException when there is nothing to act on.
     */
    List<SentEvent> drive(String customerId, Function<ObjectNode, List<CompletableFuture<SentEvent>>> action) {
        List<CompletableFuture<SentEvent>> pending;
        synchronized (lock) {
            ObjectNode subscription = subscriptionsOf(customerId)
                    .filter(StripeLifecycle::isLive)
                    .reduce((first, second) -> second)
                    .orElseThrow(() -> new IllegalStateException(
                            "customer " + customerId + " has no subscription that has not ended"));
            pending = action.apply(subscription);
        }
        return webhooks.await(pending);
    }

    List<CompletableFuture<SentEvent>> failPayment(ObjectNode subscription) {
        ObjectNode open = openInvoice(subscription);
        if (open != null) {
            open.put("attempt_count", open.get("attempt_count").asLong() + 1);
            open.put("next_payment_attempt", now() + 3 * StripeObjects.DAY);
            return List.of(emit("invoice.payment_failed", open, null, EventOrigin.AUTOMATIC));
        }
        ObjectNode before = subscription.deepCopy();
        ObjectNode invoice = startNextPeriod(subscription, false);
        subscription.put("status", "past_due");
        setDelinquent(subscription, true);
        return thenUpdated(emit("invoice.payment_failed", invoice, null, EventOrigin.AUTOMATIC), before, subscription);
    }

    List<CompletableFuture<SentEvent>> payOpenInvoice(ObjectNode subscription) {
        ObjectNode open = openInvoice(subscription);
        if (open == null) {
            throw new IllegalStateException(
                    "subscription " + subscription.get("id").asString() + " has no open invoice");
        }
        ObjectNode before = subscription.deepCopy();
        StripeInvoiceObjects.markInvoicePaid(open, now());
        subscription.put("status", "active");
        setDelinquent(subscription, false);
        return thenUpdated(emit("invoice.paid", open, null, EventOrigin.AUTOMATIC), before, subscription);
    }

    List<CompletableFuture<SentEvent>> renewSubscription(ObjectNode subscription) {
        if (subscription.get("cancel_at_period_end").asBoolean()) {
            return endSubscription(subscription, EventOrigin.AUTOMATIC, null, null);
        }
        ObjectNode before = subscription.deepCopy();
        changes.beforeRenewal(subscription);
        ObjectNode invoice = startNextPeriod(subscription, true);
        subscription.put("status", "active");
        setDelinquent(subscription, false);
        return thenUpdated(emit("invoice.paid", invoice, null, EventOrigin.AUTOMATIC), before, subscription);
    }

    /** The next period starts, billed by a renewal invoice (paid, or open and awaiting payment). */
    ObjectNode startNextPeriod(ObjectNode subscription, boolean paid) {
        long start = StripeSubscriptionObjects.periodEnd(subscription);
        long end = start + StripeObjects.PERIOD;
        StripeSubscriptionObjects.setPeriod(subscription, start, end);
        return raiseInvoice(subscription, "subscription_cycle", start, end, paid);
    }

    /** The invoice event, then {@code customer.subscription.updated} if the subscription changed. */
    private List<CompletableFuture<SentEvent>> thenUpdated(
            CompletableFuture<SentEvent> invoiceEvent, ObjectNode before, ObjectNode subscription) {
        List<CompletableFuture<SentEvent>> pending = new ArrayList<>();
        pending.add(invoiceEvent);
        pending.addAll(emitIfChanged("customer.subscription.updated", before, subscription, EventOrigin.AUTOMATIC));
        return pending;
    }

    List<CompletableFuture<SentEvent>> scheduleCancellation(
            ObjectNode subscription, boolean cancel, EventOrigin origin) {
        ObjectNode before = subscription.deepCopy();
        applyCancellationSchedule(subscription, cancel);
        return emitIfChanged("customer.subscription.updated", before, subscription, origin);
    }

    void applyCancellationSchedule(ObjectNode subscription, boolean cancel) {
        if (subscription.get("cancel_at_period_end").asBoolean() == cancel) {
            return;
        }
        ObjectNode details = (ObjectNode) subscription.get("cancellation_details");
        subscription.put("cancel_at_period_end", cancel);
        if (cancel) {
            subscription.put("cancel_at", StripeSubscriptionObjects.periodEnd(subscription));
            subscription.put("canceled_at", now());
            details.put("reason", "cancellation_requested");
        } else {
            subscription.putNull("cancel_at");
            subscription.putNull("canceled_at");
            details.putNull("reason");
        }
    }

    void applyCancellationDetails(ObjectNode subscription, StripeForm form) {
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

    List<CompletableFuture<SentEvent>> endSubscription(
            ObjectNode subscription, EventOrigin origin, String comment, String feedback) {
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
        ObjectNode invoice = StripeInvoiceObjects.invoice(
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
}
