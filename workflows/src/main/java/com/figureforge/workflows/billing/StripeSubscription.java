package com.figureforge.workflows.billing;

import java.time.Instant;

/**
 * A Stripe subscription as Stripe reports it now (API version 2026-07-29.dahlia: the billing period is
 * that of the first subscription item).
 *
 * @param status Stripe's status: {@code active}, {@code trialing}, {@code past_due}, {@code unpaid},
 *     {@code incomplete}, {@code incomplete_expired}, {@code paused} or {@code canceled}
 * @param priceId the first item's price id
 * @param plan our plan id for that price, or null when the price id is not configured
 * @param cancelAt when Stripe will end the subscription: its {@code cancel_at}, or the period end when
 *     only {@code cancel_at_period_end} is set; null if no cancellation is scheduled
 */
public record StripeSubscription(
        String id,
        String status,
        String priceId,
        String plan,
        Instant currentPeriodStart,
        Instant currentPeriodEnd,
        boolean cancelAtPeriodEnd,
        Instant cancelAt,
        Instant canceledAt,
        Instant endedAt,
        Instant created) {}
