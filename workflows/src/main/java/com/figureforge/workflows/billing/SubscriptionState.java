package com.figureforge.workflows.billing;

import java.time.Instant;
import java.util.List;

/**
 * What {@link SubscriptionWorkflow#state()} answers, and what continue-as-new carries.
 *
 * @param plan the plan applied to the user in DynamoDB ({@code free}, {@code hobby}, ...)
 * @param status the subscription status applied with it (Stripe's, or {@code none})
 * @param customerId the Stripe customer the workflow follows
 * @param subscriptionId the current subscription, if any
 * @param priceId its price
 * @param periodStart the quota (billing) period applied with a paid plan; null when free, and the last
 *     paid period while a payment is overdue
 * @param periodEnd its end
 * @param cancelAtPeriodEnd Stripe will end the subscription at the period end
 * @param cancelAt when Stripe ends the subscription, if scheduled; the workflow downgrades then
 * @param pastDueSince when the workflow first saw the subscription {@code past_due} (grace start)
 * @param graceUntil when the grace period ends; after it a still overdue subscription falls back to free
 * @param nextCheckAt when the workflow re-fetches the subscription on its own (grace end, scheduled end,
 *     retry after a failed call); null if nothing is scheduled
 * @param lastEventId the last event handled (duplicates not counted)
 * @param lastSyncedAt when the subscription was last fetched from Stripe
 * @param lastAppliedAt when plan and status were last written; null forces the next write
 * @param eventsApplied events handled over the workflow's life (all runs)
 * @param duplicatesIgnored repeated deliveries skipped
 * @param failures Stripe or storage calls that failed for good (each schedules a re-check)
 * @param duplicatesCanceled second live subscriptions the workflow canceled (one live subscription per user)
 * @param recentEventIds the most recent event ids, oldest first, for deduplication across runs
 */
public record SubscriptionState(
        String userId,
        String plan,
        String status,
        String customerId,
        String subscriptionId,
        String priceId,
        Instant periodStart,
        Instant periodEnd,
        boolean cancelAtPeriodEnd,
        Instant cancelAt,
        Instant pastDueSince,
        Instant graceUntil,
        Instant nextCheckAt,
        String lastEventId,
        String lastEventType,
        Instant lastSyncedAt,
        Instant lastAppliedAt,
        long eventsApplied,
        long duplicatesIgnored,
        long failures,
        long duplicatesCanceled,
        List<String> recentEventIds) {

    public static final String FREE = "free";
    public static final String NO_SUBSCRIPTION = "none";

    public SubscriptionState {
        recentEventIds = recentEventIds == null ? List.of() : List.copyOf(recentEventIds);
    }

    /** A user the workflow has not synchronised yet: free, no subscription. */
    public static SubscriptionState initial(String userId, String customerId) {
        return new SubscriptionState(
                userId,
                FREE,
                NO_SUBSCRIPTION,
                customerId,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                0,
                0,
                0,
                0,
                List.of());
    }

    public boolean paid() {
        return !FREE.equals(plan);
    }
}
