package com.figureforge.workflows.subscription;

import java.util.Set;

/**
 * The Stripe event types the webhook forwards to {@link SubscriptionWorkflow}. Every one of them is
 * handled the same way (fetch the customer's current subscription, apply it), so the list is about
 * which changes must wake the workflow, not about per-type logic.
 */
public final class StripeEventTypes {

    public static final String CHECKOUT_SESSION_COMPLETED = "checkout.session.completed";
    public static final String SUBSCRIPTION_CREATED = "customer.subscription.created";
    public static final String SUBSCRIPTION_UPDATED = "customer.subscription.updated";
    public static final String SUBSCRIPTION_DELETED = "customer.subscription.deleted";
    public static final String INVOICE_PAID = "invoice.paid";
    public static final String INVOICE_PAYMENT_FAILED = "invoice.payment_failed";

    /** Enable these on the Stripe webhook endpoint; the webhook may ignore every other type. */
    public static final Set<String> HANDLED = Set.of(
            CHECKOUT_SESSION_COMPLETED,
            SUBSCRIPTION_CREATED,
            SUBSCRIPTION_UPDATED,
            SUBSCRIPTION_DELETED,
            INVOICE_PAID,
            INVOICE_PAYMENT_FAILED);

    private StripeEventTypes() {}

    public static boolean handled(String type) {
        return HANDLED.contains(type);
    }
}
