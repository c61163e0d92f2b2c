package com.figureforge.devstack.stripe;

import com.figureforge.devstack.stripe.StripeEmulator.SentEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Stripe emulator's plan changes and extra lifecycle, kept apart from {@link StripeLifecycle}:
 *
 * <ul>
 *   <li>{@code GET /v1/checkout/sessions?customer=&status=}, {@code POST
 *       /v1/checkout/sessions/{id}/expire} (an expired session can no longer be paid);
 *   <li>{@code POST /v1/subscriptions} (a subscription made outside the app: active at once, paid);
 *   <li>{@code POST /v1/subscriptions/{id}} with {@code items[0][price]}: the price swaps at once, the
 *       period stays, and a prorated {@code subscription_update} invoice is paid;
 *   <li>{@code DELETE /v1/subscriptions/{id}} with {@code prorate=true}: the unused time of the period
 *       is credited to the customer's {@code balance};
 *   <li>{@code POST /v1/subscription_schedules} ({@code from_subscription}), {@code POST
 *       /v1/subscription_schedules/{id}} (two phases), {@code .../release}, {@code GET}: at the renewal
 *       the next phase's price applies and the schedule is released;
 *   <li>Java helpers that raise the events of paused, resumed, trial-ending, action-required,
 *       uncollectible and pending-update subscriptions, with the state Stripe would then report.
 * </ul>
 *
 * Everything runs under the lifecycle's lock.
 */
final class StripeSubscriptionChangesEmulation {

    private final StripeLifecycle lifecycle;
    private final Map<String, ObjectNode> schedules = new LinkedHashMap<>();

    StripeSubscriptionChangesEmulation(StripeLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    void reset() {
        schedules.clear();
    }

    /** The answer to a route this class serves, or null to leave the request to the lifecycle. */
    JsonNode route(String method, List<String> segments, StripeForm form, EventOrigin origin) {
        String path = String.join("/", segments);
        if (method.equals("GET") && path.equals("checkout/sessions")) {
            return listCheckoutSessions(form);
        }
        if (method.equals("POST")
                && segments.size() == 4
                && path.startsWith("checkout/sessions/")
                && segments.get(3).equals("expire")) {
            return expire(segments.get(2));
        }
        if (method.equals("POST") && path.equals("subscriptions")) {
            return createSubscription(form, origin);
        }
        if (segments.size() == 2 && segments.get(0).equals("subscriptions")) {
            if (method.equals("POST") && form.has("items[0][price]")) {
                return swapPrice(segments.get(1), form, origin);
            }
            if (method.equals("DELETE") && "true".equals(form.get("prorate"))) {
                creditUnusedTime(known(lifecycle.subscriptions, "subscription", segments.get(1)));
                return null; // the emulator cancels it as usual
            }
        }
        if (segments.getFirst().equals("subscription_schedules")) {
            return schedule(method, segments, form);
        }
        return null;
    }

    // ---- checkout sessions --------------------------------------------------------------------

    private JsonNode listCheckoutSessions(StripeForm form) {
        String customer = form.get("customer");
        String status = form.get("status");
        List<ObjectNode> matching = lifecycle.checkoutSessions.values().stream()
                .filter(s ->
                        customer == null || customer.equals(s.get("customer").asString(null)))
                .filter(s -> status == null || status.equals(s.get("status").asString()))
                .map(ObjectNode::deepCopy)
                .toList()
                .reversed();
        return StripeObjects.list("/v1/checkout/sessions", matching, false);
    }

    private JsonNode expire(String sessionId) {
        ObjectNode session = known(lifecycle.checkoutSessions, "checkout.session", sessionId);
        if (!session.get("status").asString().equals("open")) {
            throw StripeFailure.invalid(
                    "checkout_session_not_open",
                    "Only Checkout Sessions with a status of `open` can be expired; this one is "
                            + session.get("status").asString() + ".",
                    null);
        }
        session.put("status", "expired");
        session.putNull("url");
        lifecycle.emit("checkout.session.expired", session, null, EventOrigin.AUTOMATIC);
        return session.deepCopy();
    }

    // ---- subscriptions ------------------------------------------------------------------------

    private JsonNode createSubscription(StripeForm form, EventOrigin origin) {
        String customer = form.get("customer");
        String price = form.get("items[0][price]");
        if (customer == null || price == null) {
            throw StripeFailure.invalid(
                    "parameter_missing", "Missing required param: customer and items[0][price].", "customer");
        }
        known(lifecycle.customers, "customer", customer);
        long now = lifecycle.now();
        ObjectNode subscription = StripeSubscriptionObjects.subscription(
                StripeObjects.newId("sub"), customer, price, 1, form.hash("metadata"), now, now + StripeObjects.PERIOD);
        lifecycle.subscriptions.put(subscription.get("id").asString(), subscription);
        ObjectNode invoice =
                lifecycle.raiseInvoice(subscription, "subscription_create", now, now + StripeObjects.PERIOD, true);
        lifecycle.emit("customer.subscription.created", subscription, null, origin);
        lifecycle.emit("invoice.paid", invoice, null, origin);
        return subscription.deepCopy();
    }

    private JsonNode swapPrice(String id, StripeForm form, EventOrigin origin) {
        ObjectNode subscription = known(lifecycle.subscriptions, "subscription", id);
        if (!StripeLifecycle.isLive(subscription)) {
            throw StripeFailure.invalid(null, "A canceled subscription cannot change its items.", "items");
        }
        if (subscription.hasNonNull("schedule")) {
            throw StripeFailure.invalid(
                    null,
                    "The subscription is managed by the subscription schedule "
                            + subscription.get("schedule").asString()
                            + ", and updating any cancelation behavior directly is not allowed.",
                    "items");
        }
        ObjectNode before = subscription.deepCopy();
        setPrice(subscription, form.get("items[0][price]"));
        if (!"none".equals(form.get("proration_behavior"))) {
            ObjectNode invoice = lifecycle.raiseInvoice(
                    subscription,
                    "subscription_update",
                    lifecycle.now(),
                    StripeSubscriptionObjects.periodEnd(subscription),
                    true);
            lifecycle.emit("invoice.paid", invoice, null, origin);
        }
        lifecycle.emit(
                "customer.subscription.updated",
                subscription,
                StripeObjects.previousAttributes(before, subscription),
                origin);
        return subscription.deepCopy();
    }

    private void setPrice(ObjectNode subscription, String priceId) {
        ObjectNode item = StripeSubscriptionObjects.firstItem(subscription);
        long created = lifecycle.now();
        item.set("price", StripeSubscriptionObjects.price(priceId, created));
        item.set("plan", StripeSubscriptionObjects.plan(priceId, created));
    }

    private void creditUnusedTime(ObjectNode subscription) {
        long start = StripeSubscriptionObjects.periodStart(subscription);
        long end = StripeSubscriptionObjects.periodEnd(subscription);
        long unused = Math.max(0, end - lifecycle.now());
        long credit = end > start ? StripeObjects.UNIT_AMOUNT * unused / (end - start) : 0;
        ObjectNode customer =
                lifecycle.customers.get(subscription.get("customer").asString());
        if (customer != null && credit > 0) {
            customer.put("balance", customer.get("balance").asLong() - credit);
        }
    }

    /** At a renewal: a schedule's next phase starts, and the schedule is released after its last one. */
    void beforeRenewal(ObjectNode subscription) {
        if (!subscription.hasNonNull("schedule")) {
            return;
        }
        ObjectNode schedule = schedules.get(subscription.get("schedule").asString());
        JsonNode phases = schedule.get("phases");
        if (phases.size() > 1) {
            setPrice(
                    subscription, phases.get(1).get("items").get(0).get("price").asString());
        }
        release(schedule);
    }

    // ---- subscription schedules ---------------------------------------------------------------

    private JsonNode schedule(String method, List<String> segments, StripeForm form) {
        if (method.equals("POST") && segments.size() == 1) {
            String from = form.get("from_subscription");
            ObjectNode subscription = known(lifecycle.subscriptions, "subscription", from);
            if (subscription.hasNonNull("schedule")) {
                throw StripeFailure.invalid(
                        null,
                        "You cannot migrate a subscription that is already attached to a schedule: `"
                                + subscription.get("schedule").asString() + "`.",
                        "from_subscription");
            }
            ObjectNode schedule = StripeObjects.object();
            String id = StripeObjects.newId("sub_sched");
            schedule.put("id", id);
            schedule.put("object", "subscription_schedule");
            schedule.put("customer", subscription.get("customer").asString());
            schedule.put("subscription", from);
            schedule.put("status", "active");
            schedule.put("end_behavior", "release");
            ObjectNode phase = schedule.putArray("phases").addObject();
            phase.putArray("items")
                    .addObject()
                    .put("price", priceOf(subscription))
                    .put("quantity", 1);
            phase.put("start_date", StripeSubscriptionObjects.periodStart(subscription));
            phase.put("end_date", StripeSubscriptionObjects.periodEnd(subscription));
            schedules.put(id, schedule);
            subscription.put("schedule", id);
            return schedule.deepCopy();
        }
        ObjectNode schedule = known(schedules, "subscription_schedule", segments.get(1));
        if (method.equals("GET") && segments.size() == 2) {
            return schedule.deepCopy();
        }
        if (method.equals("POST") && segments.size() == 3 && segments.get(2).equals("release")) {
            release(schedule);
            return schedule.deepCopy();
        }
        if (method.equals("POST") && segments.size() == 2) {
            var phases = schedule.putArray("phases");
            for (int i = 0; form.has("phases[" + i + "][items][0][price]"); i++) {
                ObjectNode phase = phases.addObject();
                phase.putArray("items")
                        .addObject()
                        .put("price", form.get("phases[" + i + "][items][0][price]"))
                        .put("quantity", 1);
                putLong(phase, "start_date", form.get("phases[" + i + "][start_date]"));
                putLong(phase, "end_date", form.get("phases[" + i + "][end_date]"));
            }
            if (form.has("end_behavior")) {
                schedule.put("end_behavior", form.get("end_behavior"));
            }
            return schedule.deepCopy();
        }
        return null;
    }

    private void release(ObjectNode schedule) {
        schedule.put("status", "released");
        schedule.put("released_subscription", schedule.get("subscription").asString());
        ObjectNode subscription =
                lifecycle.subscriptions.get(schedule.get("subscription").asString());
        if (subscription != null) {
            subscription.putNull("schedule");
        }
    }

    private static void putLong(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, Long.parseLong(value));
        }
    }

    private static String priceOf(ObjectNode subscription) {
        return StripeSubscriptionObjects.firstItem(subscription)
                .get("price")
                .get("id")
                .asString();
    }

    // ---- lifecycle helpers (events that change access) ----------------------------------------

    /** The lifecycle steps {@link #apply} can take, named after the event each raises. */
    enum Step {
        PAUSED,
        RESUMED,
        TRIAL_WILL_END,
        PAYMENT_ACTION_REQUIRED,
        MARKED_UNCOLLECTIBLE,
        PENDING_UPDATE_APPLIED,
        PENDING_UPDATE_EXPIRED
    }

    static final Set<String> STEP_EVENTS = Set.of(
            "customer.subscription.paused",
            "customer.subscription.resumed",
            "customer.subscription.trial_will_end",
            "invoice.payment_action_required",
            "invoice.marked_uncollectible",
            "customer.subscription.pending_update_applied",
            "customer.subscription.pending_update_expired");

    /** Changes the subscription as Stripe would and raises the step's events. */
    List<CompletableFuture<SentEvent>> apply(ObjectNode subscription, Step step) {
        ObjectNode before = subscription.deepCopy();
        List<CompletableFuture<SentEvent>> pending = new ArrayList<>();
        switch (step) {
            case PAUSED -> {
                subscription.put("status", "paused");
                pending.add(emit("customer.subscription.paused", subscription));
            }
            case RESUMED -> {
                subscription.put("status", "active");
                long now = lifecycle.now();
                StripeSubscriptionObjects.setPeriod(subscription, now, now + StripeObjects.PERIOD);
                pending.add(emit("customer.subscription.resumed", subscription));
            }
            case TRIAL_WILL_END -> pending.add(emit("customer.subscription.trial_will_end", subscription));
            case PAYMENT_ACTION_REQUIRED -> {
                ObjectNode invoice = openRenewal(subscription);
                subscription.put("status", "past_due");
                pending.add(emit("invoice.payment_action_required", invoice));
            }
            case MARKED_UNCOLLECTIBLE -> {
                ObjectNode invoice = openRenewal(subscription);
                invoice.put("status", "uncollectible");
                subscription.put("status", "unpaid");
                pending.add(emit("invoice.marked_uncollectible", invoice));
            }
            case PENDING_UPDATE_APPLIED -> {
                subscription.putNull("pending_update");
                pending.add(emit("customer.subscription.pending_update_applied", subscription));
            }
            case PENDING_UPDATE_EXPIRED -> {
                subscription.putNull("pending_update");
                pending.add(emit("customer.subscription.pending_update_expired", subscription));
            }
        }
        pending.addAll(
                lifecycle.emitIfChanged("customer.subscription.updated", before, subscription, EventOrigin.AUTOMATIC));
        return pending;
    }

    /** The open renewal invoice, raised (next period, unpaid) if there is none yet. */
    private ObjectNode openRenewal(ObjectNode subscription) {
        ObjectNode open = lifecycle.openInvoice(subscription);
        if (open != null) {
            return open;
        }
        return lifecycle.startNextPeriod(subscription, false);
    }

    private CompletableFuture<SentEvent> emit(String type, ObjectNode object) {
        return lifecycle.emit(type, object, null, EventOrigin.AUTOMATIC);
    }

    private static ObjectNode known(Map<String, ObjectNode> objects, String kind, String id) {
        return StripeFailure.requireKnown(objects, kind, id);
    }
}
