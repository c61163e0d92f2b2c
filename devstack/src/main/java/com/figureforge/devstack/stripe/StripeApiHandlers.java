package com.figureforge.devstack.stripe;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The handlers behind the Stripe emulator's {@code /v1} routes for customers, checkout and portal
 * sessions and subscriptions: they check parameters as Stripe does and change the objects through
 * {@link StripeLifecycle}. Each runs under the lifecycle's lock, called by {@link StripeApi}.
 */
final class StripeApiHandlers {

    private static final Logger log = LoggerFactory.getLogger(StripeApiHandlers.class);
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

    private final StripeLifecycle lifecycle;

    StripeApiHandlers(StripeLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    // ---- customers ----------------------------------------------------------------------------

    JsonNode createCustomer(StripeForm form, EventOrigin origin) {
        warnUnknown(form, "customers", Set.of("email", "name", "description", "phone"), "metadata");
        ObjectNode customer = StripeObjects.customer(StripeObjects.newId("cus"), lifecycle.now(), form);
        lifecycle.customers.put(customer.get("id").asString(), customer);
        lifecycle.emit("customer.created", customer, null, origin);
        return customer.deepCopy();
    }

    JsonNode retrieveCustomer(String id) {
        if (lifecycle.deletedCustomers.contains(id)) {
            return StripeObjects.deletedCustomer(id);
        }
        return StripeFailure.requireKnown(lifecycle.customers, "customer", id).deepCopy();
    }

    JsonNode updateCustomer(String id, StripeForm form, EventOrigin origin) {
        warnUnknown(form, "customers/{id}", Set.of("email", "name", "description", "phone"), "metadata");
        ObjectNode customer = StripeFailure.requireKnown(lifecycle.customers, "customer", id);
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
        lifecycle.emitIfChanged("customer.updated", before, customer, origin);
        return customer.deepCopy();
    }

    JsonNode deleteCustomer(String id, EventOrigin origin) {
        ObjectNode customer = StripeFailure.requireKnown(lifecycle.customers, "customer", id);
        lifecycle
                .subscriptionsOf(id)
                .filter(StripeLifecycle::isLive)
                .forEach(subscription -> lifecycle.endSubscription(subscription, origin, null, null));
        lifecycle.customers.remove(id);
        lifecycle.deletedCustomers.add(id);
        lifecycle.emit("customer.deleted", customer, null, origin);
        return StripeObjects.deletedCustomer(id);
    }

    // ---- checkout and portal ------------------------------------------------------------------

    /** {@code pageBase}: where a browser reaches the emulator's pages. */
    JsonNode createCheckoutSession(StripeForm form, String pageBase) {
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
        if (customerId != null && !lifecycle.customers.containsKey(customerId)) {
            throw StripeFailure.noSuchCustomer(customerId);
        }
        String id = StripeObjects.newId("cs_test", 58);
        String url = pageBase + "/checkout/" + id;
        ObjectNode session =
                StripeObjects.checkoutSession(id, lifecycle.now(), customerId, form, priceId, quantity, url);
        lifecycle.checkoutSessions.put(id, session);
        lifecycle.checkoutLines.put(
                id, new StripeLifecycle.CheckoutLine(priceId, quantity, form.hash("subscription_data[metadata]")));
        return session.deepCopy();
    }

    JsonNode createPortalSession(StripeForm form, String pageBase) {
        warnUnknown(form, "billing_portal/sessions", Set.of("customer", "return_url", "locale"));
        String customerId = form.get("customer");
        if (customerId == null || customerId.isEmpty()) {
            throw StripeFailure.invalid("parameter_missing", "Missing required param: customer.", "customer");
        }
        if (!lifecycle.customers.containsKey(customerId)) {
            throw StripeFailure.noSuchCustomer(customerId);
        }
        String id = StripeObjects.newId("bps", 24);
        String url = pageBase + "/portal/" + id;
        ObjectNode session = StripeObjects.portalSession(id, lifecycle.now(), customerId, form.get("return_url"), url);
        lifecycle.portalSessions.put(id, session);
        return session.deepCopy();
    }

    // ---- subscriptions ------------------------------------------------------------------------

    JsonNode listSubscriptions(StripeForm form) {
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
        List<ObjectNode> matching = lifecycle.subscriptions.values().stream()
                .filter(subscription -> customer == null
                        || subscription.get("customer").asString().equals(customer))
                .filter(subscription -> price == null
                        || StripeSubscriptionObjects.firstItem(subscription)
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

    JsonNode updateSubscription(String id, StripeForm form, EventOrigin origin) {
        warnUnknown(
                form,
                "subscriptions/{id}",
                Set.of("cancel_at_period_end", "cancellation_details[comment]", "cancellation_details[feedback]"),
                "metadata");
        ObjectNode subscription = StripeFailure.requireKnown(lifecycle.subscriptions, "subscription", id);
        if (!StripeLifecycle.isLive(subscription) && form.has("cancel_at_period_end")) {
            throw StripeFailure.invalid(
                    null,
                    "A canceled subscription can only update its cancellation_details and metadata.",
                    "cancel_at_period_end");
        }
        ObjectNode before = subscription.deepCopy();
        if (form.has("cancel_at_period_end")) {
            boolean cancel = parseBoolean(form, "cancel_at_period_end");
            lifecycle.applyCancellationSchedule(subscription, cancel);
        }
        lifecycle.applyCancellationDetails(subscription, form);
        StripeObjects.updateMetadata(subscription, form);
        lifecycle.emitIfChanged("customer.subscription.updated", before, subscription, origin);
        return subscription.deepCopy();
    }

    JsonNode cancelSubscription(String id, StripeForm form, EventOrigin origin) {
        warnUnknown(
                form,
                "subscriptions/{id} (cancel)",
                Set.of("cancellation_details[comment]", "cancellation_details[feedback]", "invoice_now", "prorate"));
        ObjectNode subscription = StripeFailure.requireKnown(lifecycle.subscriptions, "subscription", id);
        if (!StripeLifecycle.isLive(subscription)) {
            // What Stripe answers for a subscription that already ended.
            throw StripeFailure.missing("subscription", id, "id");
        }
        lifecycle.endSubscription(
                subscription,
                origin,
                form.get("cancellation_details[comment]"),
                form.get("cancellation_details[feedback]"));
        return subscription.deepCopy();
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
}
