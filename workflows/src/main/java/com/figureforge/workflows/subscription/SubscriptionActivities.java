package com.figureforge.workflows.subscription;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Instant;

/**
 * Stripe reads and the user's plan in DynamoDB, for {@link SubscriptionWorkflow}. Runs on {@link
 * com.figureforge.workflows.TaskQueues#STORAGE} (storage and billing activities share it). Both methods
 * are idempotent: one reads, the other writes absolute values.
 *
 * <p>Failures carry a {@link com.figureforge.workflows.FailureType} name: {@code STRIPE_UNAVAILABLE}
 * (5xx, 429, I/O) is retried, {@code STRIPE_REJECTED} (4xx: bad key, bad request) is final.
 */
@ActivityInterface
public interface SubscriptionActivities {

    /**
     * The customer's current subscription: of all its subscriptions the newest that grants access
     * ({@code active}, {@code trialing}, {@code past_due}), else the newest of any status, else none. A
     * customer that no longer exists has none. With only a subscription id, the customer is that
     * subscription's.
     */
    @ActivityMethod
    FetchSubscriptionOutput fetchSubscription(FetchSubscriptionInput input);

    /**
     * Writes plan, subscription status, billing period and Stripe customer onto the user (DynamoDB). The
     * quota follows: the plan sets the limit, and a paid plan's quota period is keyed by the billing
     * period's start, so a new paid period starts a new quota counter.
     */
    @ActivityMethod
    ApplyPlanOutput applyPlan(ApplyPlanInput input);

    /** At least one of the two ids is set; the customer id wins when both are. */
    record FetchSubscriptionInput(String customerId, String subscriptionId) {}

    /**
     * @param customerId the customer the answer is about (resolved from the subscription if not given)
     * @param subscription null when the customer has no subscription at all, or no longer exists
     */
    record FetchSubscriptionOutput(String customerId, StripeSubscription subscription) {}

    /**
     * @param plan plan id ({@code free}, {@code hobby}, ...)
     * @param status Stripe subscription status, or {@code none}
     * @param customerId links the customer to the user; null leaves the stored one
     * @param periodStart billing period of a paid plan; null (both) for none
     */
    record ApplyPlanInput(
            String userId, String plan, String status, String customerId, Instant periodStart, Instant periodEnd) {}

    /** @param userFound false when the user no longer exists (account deleted): nothing was written */
    record ApplyPlanOutput(boolean userFound) {}
}
