package com.figureforge.workflows.billing;

/**
 * The API's request to apply a completed checkout now ({@link SubscriptionWorkflow#syncCheckout}), before
 * Stripe's webhooks arrive. The API has checked that the session belongs to the user.
 *
 * @param requestId {@code checkout:<session id>}: the same session is applied once, repeats only answer
 * @param customerId the session's customer
 * @param subscriptionId the session's subscription
 */
public record CheckoutSync(String requestId, String customerId, String subscriptionId) {

    public CheckoutSync {
        if (requestId == null || requestId.isBlank()) {
            throw new IllegalArgumentException("requestId must not be blank");
        }
        if (customerId == null && subscriptionId == null) {
            throw new IllegalArgumentException("a checkout sync needs a customer or a subscription");
        }
    }
}
