package com.figureforge.workflows.billing;

import java.time.Instant;

/**
 * What a {@link PlanChange} did.
 *
 * @param outcome {@code changed} (applied now), {@code scheduled} (at {@code effectiveAt}, the period
 *     end), {@code unchanged} (already on that price), {@code no_subscription} (nothing live to change) or
 *     {@code failed} (Stripe refused; the workflow re-checks later)
 * @param state the workflow's state after the change
 */
public record PlanChangeResult(String outcome, String plan, Instant effectiveAt, SubscriptionState state) {

    public static final String CHANGED = "changed";
    public static final String SCHEDULED = "scheduled";
    public static final String UNCHANGED = "unchanged";
    public static final String NO_SUBSCRIPTION = "no_subscription";
    public static final String FAILED = "failed";
}
