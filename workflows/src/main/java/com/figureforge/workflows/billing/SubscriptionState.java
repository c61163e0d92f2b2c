package com.figureforge.workflows.billing;

import com.figureforge.workflows.billing.SubscriptionRules.Decision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What {@link SubscriptionWorkflow#state()} answers, and what continue-as-new carries. The workflow holds one
 * and replaces it at each step with the next one its transitions (below) compute; it never edits fields.
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

    /** Whether the event id is among the recent ones (handled before). */
    boolean seen(String eventId) {
        return recentEventIds.contains(eventId);
    }

    // --- transitions: each computes the next state; the workflow replaces its state with it --------------------

    /** An event taken up: its id remembered (the newest {@code kept} ids) and shown as the last one. */
    SubscriptionState handling(StripeEventSignal event, int kept) {
        return next(next -> {
            next.recentEventIds.add(event.eventId());
            while (next.recentEventIds.size() > kept) {
                next.recentEventIds.removeFirst();
            }
            next.lastEventId = event.eventId();
            next.lastEventType = event.type();
        });
    }

    /** An event done with, whatever came of it. */
    SubscriptionState handled() {
        return next(next -> next.eventsApplied++);
    }

    SubscriptionState duplicateIgnored() {
        return next(next -> next.duplicatesIgnored++);
    }

    /** Follows {@code customer} from now on; a new customer is linked to the user on the next write. */
    SubscriptionState following(String customer) {
        if (Objects.equals(customer, customerId)) {
            return this;
        }
        return next(next -> {
            next.customerId = customer;
            next.lastAppliedAt = null;
        });
    }

    /** The scheduled check is being made: nothing scheduled until the decision says otherwise. */
    SubscriptionState checking() {
        return next(next -> next.nextCheckAt = null);
    }

    SubscriptionState synced(Instant at) {
        return next(next -> next.lastSyncedAt = at);
    }

    SubscriptionState duplicatesCanceled(int count) {
        return next(next -> next.duplicatesCanceled += count);
    }

    /** Plan, status and period written onto the user. */
    SubscriptionState written(Instant at) {
        return next(next -> next.lastAppliedAt = at);
    }

    /** What the rules decided, as the state to compare the next decision with. */
    SubscriptionState decided(Decision decision) {
        return next(next -> {
            next.plan = decision.plan();
            next.status = decision.status();
            next.subscriptionId = decision.subscriptionId();
            next.priceId = decision.priceId();
            next.periodStart = decision.periodStart();
            next.periodEnd = decision.periodEnd();
            next.cancelAtPeriodEnd = decision.cancelAtPeriodEnd();
            next.cancelAt = decision.cancelAt();
            next.pastDueSince = decision.pastDueSince();
            next.graceUntil = decision.graceUntil();
            next.nextCheckAt = decision.nextCheckAt();
        });
    }

    /** A call failed for good: counted, and a re-check scheduled no later than {@code retryAt}. */
    SubscriptionState failed(Instant retryAt) {
        return next(next -> {
            next.failures++;
            next.nextCheckAt = SubscriptionRules.earliest(next.nextCheckAt, retryAt);
        });
    }

    private SubscriptionState next(Consumer<Draft> change) {
        Draft draft = new Draft(this);
        change.accept(draft);
        return draft.state();
    }

    /** A transition's working copy: the one place the fields are copied. */
    private static final class Draft {
        private final String userId;
        private String plan;
        private String status;
        private String customerId;
        private String subscriptionId;
        private String priceId;
        private Instant periodStart;
        private Instant periodEnd;
        private boolean cancelAtPeriodEnd;
        private Instant cancelAt;
        private Instant pastDueSince;
        private Instant graceUntil;
        private Instant nextCheckAt;
        private String lastEventId;
        private String lastEventType;
        private Instant lastSyncedAt;
        private Instant lastAppliedAt;
        private long eventsApplied;
        private long duplicatesIgnored;
        private long failures;
        private long duplicatesCanceled;
        private final List<String> recentEventIds;

        private Draft(SubscriptionState from) {
            userId = from.userId;
            plan = from.plan;
            status = from.status;
            customerId = from.customerId;
            subscriptionId = from.subscriptionId;
            priceId = from.priceId;
            periodStart = from.periodStart;
            periodEnd = from.periodEnd;
            cancelAtPeriodEnd = from.cancelAtPeriodEnd;
            cancelAt = from.cancelAt;
            pastDueSince = from.pastDueSince;
            graceUntil = from.graceUntil;
            nextCheckAt = from.nextCheckAt;
            lastEventId = from.lastEventId;
            lastEventType = from.lastEventType;
            lastSyncedAt = from.lastSyncedAt;
            lastAppliedAt = from.lastAppliedAt;
            eventsApplied = from.eventsApplied;
            duplicatesIgnored = from.duplicatesIgnored;
            failures = from.failures;
            duplicatesCanceled = from.duplicatesCanceled;
            recentEventIds = new ArrayList<>(from.recentEventIds);
        }

        private SubscriptionState state() {
            return new SubscriptionState(
                    userId,
                    plan,
                    status,
                    customerId,
                    subscriptionId,
                    priceId,
                    periodStart,
                    periodEnd,
                    cancelAtPeriodEnd,
                    cancelAt,
                    pastDueSince,
                    graceUntil,
                    nextCheckAt,
                    lastEventId,
                    lastEventType,
                    lastSyncedAt,
                    lastAppliedAt,
                    eventsApplied,
                    duplicatesIgnored,
                    failures,
                    duplicatesCanceled,
                    recentEventIds);
        }
    }
}
