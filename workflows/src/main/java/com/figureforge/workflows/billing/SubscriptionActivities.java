package com.figureforge.workflows.billing;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Instant;
import java.util.List;

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
     * The customer's current subscription: of all its subscriptions the one that grants access
     * ({@code active}, {@code trialing}, {@code past_due}) with the highest plan (newest first on a tie),
     * else the newest of any status, else none; any other live ones are reported as duplicates. A
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

    /**
     * Swaps the customer's live subscription to another price: an upgrade at once with a prorated charge
     * ({@code proration_behavior=always_invoice}); a downgrade through a subscription schedule whose next
     * phase starts at the period end. Idempotent through Stripe idempotency keys derived from {@code
     * idempotencyKey}, and a subscription already on the price is left alone.
     */
    @ActivityMethod
    ChangePriceOutput changePrice(ChangePriceInput input);

    /**
     * Cancels a second live subscription of the customer at once, with a prorated credit for its unused
     * time ({@code prorate=true}, {@code invoice_now=true}). Already canceled counts as done.
     */
    @ActivityMethod
    void cancelDuplicate(CancelDuplicateInput input);

    record ChangePriceInput(String customerId, String priceId, boolean upgrade, String idempotencyKey) {}

    /**
     * @param outcome a {@link PlanChangeResult} outcome
     * @param subscriptionId the subscription changed, if any
     * @param effectiveAt when the new price applies (now, or the period end)
     */
    record ChangePriceOutput(String outcome, String subscriptionId, Instant effectiveAt) {}

    record CancelDuplicateInput(String customerId, String subscriptionId, String keptSubscriptionId) {}

    /** At least one of the two ids is set; the customer id wins when both are. */
    record FetchSubscriptionInput(String customerId, String subscriptionId) {}

    /**
     * @param customerId the customer the answer is about (resolved from the subscription if not given)
     * @param subscription null when the customer has no subscription at all, or no longer exists; of
     *     several live ones, the highest plan
     * @param otherLive the customer's other live subscriptions (there should be none); null in answers
     *     recorded before this field existed
     */
    record FetchSubscriptionOutput(
            String customerId, StripeSubscription subscription, List<StripeSubscription> otherLive) {

        public FetchSubscriptionOutput(String customerId, StripeSubscription subscription) {
            this(customerId, subscription, List.of());
        }

        public List<StripeSubscription> duplicates() {
            return otherLive == null ? List.of() : otherLive;
        }
    }

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
