package com.figureforge.adapters.data;

import java.time.Instant;

/**
 * What billing sets on a user: the plan and subscription state as Stripe currently reports them.
 *
 * @param plan plan id, e.g. {@code free}, {@code hobby}
 * @param subscriptionStatus Stripe status ({@code active}, {@code past_due}, ...) or {@code none}
 * @param stripeCustomerId the customer id; {@code null} leaves the stored one unchanged
 * @param periodStart billing period start, {@code null} for no paid period (clears the stored one)
 * @param periodEnd billing period end, {@code null} for no paid period (clears the stored one)
 */
public record PlanUpdate(
        String plan, String subscriptionStatus, String stripeCustomerId, Instant periodStart, Instant periodEnd) {

    public PlanUpdate {
        if (plan == null || plan.isBlank()) {
            throw new IllegalArgumentException("plan must not be blank");
        }
        if (subscriptionStatus == null || subscriptionStatus.isBlank()) {
            throw new IllegalArgumentException("subscriptionStatus must not be blank");
        }
    }
}
