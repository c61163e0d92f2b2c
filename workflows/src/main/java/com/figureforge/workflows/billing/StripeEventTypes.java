package com.figureforge.workflows.billing;

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
    public static final String SUBSCRIPTION_PAUSED = "customer.subscription.paused";
    public static final String SUBSCRIPTION_RESUMED = "customer.subscription.resumed";
    public static final String SUBSCRIPTION_PENDING_UPDATE_APPLIED = "customer.subscription.pending_update_applied";
    public static final String SUBSCRIPTION_PENDING_UPDATE_EXPIRED = "customer.subscription.pending_update_expired";
    public static final String SUBSCRIPTION_TRIAL_WILL_END = "customer.subscription.trial_will_end";
    public static final String INVOICE_PAYMENT_ACTION_REQUIRED = "invoice.payment_action_required";
    public static final String INVOICE_MARKED_UNCOLLECTIBLE = "invoice.marked_uncollectible";

    /**
     * Not a Stripe event: the API's {@code POST /api/subscriptions/sync/} after a checkout, delivered by
     * Update-With-Start. Like a completed checkout, it may switch the followed customer.
     */
    public static final String CHECKOUT_SYNC = "figureforge.checkout.sync";

    /** Enable these on the Stripe webhook endpoint; the webhook may ignore every other type. */
    public static final Set<String> HANDLED = Set.of(
            CHECKOUT_SESSION_COMPLETED,
            SUBSCRIPTION_CREATED,
            SUBSCRIPTION_UPDATED,
            SUBSCRIPTION_DELETED,
            INVOICE_PAID,
            INVOICE_PAYMENT_FAILED,
            SUBSCRIPTION_PAUSED,
            SUBSCRIPTION_RESUMED,
            SUBSCRIPTION_PENDING_UPDATE_APPLIED,
            SUBSCRIPTION_PENDING_UPDATE_EXPIRED,
            SUBSCRIPTION_TRIAL_WILL_END,
            INVOICE_PAYMENT_ACTION_REQUIRED,
            INVOICE_MARKED_UNCOLLECTIBLE);

    private StripeEventTypes() {}

    public static boolean handled(String type) {
        return HANDLED.contains(type);
    }

    /** Events about an invoice: their subscription is {@code parent.subscription_details.subscription}. */
    public static boolean aboutInvoice(String type) {
        return type.startsWith("invoice.");
    }

    /** Our user finished a checkout: the workflow follows that checkout's customer from now on. */
    static boolean completesCheckout(String type) {
        return CHECKOUT_SESSION_COMPLETED.equals(type) || CHECKOUT_SYNC.equals(type);
    }
}
