package com.figureforge.workflows.billing;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Which plan a user has, given the subscription Stripe reports now. A pure function of (what was
 * applied before, what Stripe says now, the time, the grace period): the workflow calls it after every
 * event and scheduled check, which is why the order and repetition of events do not matter.
 *
 * <ul>
 *   <li>{@code active}, {@code trialing}: the price's plan and the billing period Stripe reports.
 *   <li>{@code past_due}: the plan stays for the grace period counted from when the workflow first saw it
 *       overdue; the quota period does not move to the unpaid period (it stays the last paid one). After
 *       the grace period: free.
 *   <li>{@code canceled}, {@code incomplete_expired}, ended, or past its scheduled cancellation: free.
 *   <li>{@code unpaid}, {@code incomplete}, {@code paused}, anything else: free.
 *   <li>A price id that is not configured: free (and the workflow warns).
 * </ul>
 */
final class SubscriptionRules {

    static final Set<String> GRANTS_ACCESS = Set.of("active", "trialing");
    static final String PAST_DUE = "past_due";
    static final String CANCELED = "canceled";
    static final Set<String> ENDED = Set.of(CANCELED, "incomplete_expired");

    private SubscriptionRules() {}

    /**
     * @param plan plan to apply
     * @param status subscription status to apply
     * @param periodStart quota period to apply (null when free)
     * @param nextCheckAt when to re-fetch on our own (grace end, scheduled cancellation), or null
     * @param reason a short explanation for logs and the Web UI
     */
    record Decision(
            String plan,
            String status,
            String subscriptionId,
            String priceId,
            Instant periodStart,
            Instant periodEnd,
            boolean cancelAtPeriodEnd,
            Instant cancelAt,
            Instant pastDueSince,
            Instant graceUntil,
            Instant nextCheckAt,
            String reason) {

        /** Whether applying this writes something new onto the user (plan, status or period). */
        boolean differsFrom(SubscriptionState applied) {
            return !plan.equals(applied.plan())
                    || !status.equals(applied.status())
                    || !Objects.equals(periodStart, applied.periodStart())
                    || !Objects.equals(periodEnd, applied.periodEnd());
        }
    }

    static Decision decide(SubscriptionState applied, StripeSubscription sub, Instant now, Duration grace) {
        if (sub == null) {
            return new Decision(
                    SubscriptionState.FREE,
                    SubscriptionState.NO_SUBSCRIPTION,
                    null,
                    null,
                    null,
                    null,
                    false,
                    null,
                    null,
                    null,
                    null,
                    "no subscription");
        }
        String status = sub.status();
        boolean scheduledEndPassed = sub.cancelAt() != null && !now.isBefore(sub.cancelAt());
        if (ENDED.contains(status) || sub.endedAt() != null || scheduledEndPassed) {
            return free(ENDED.contains(status) ? status : CANCELED, sub, null, null, "subscription ended");
        }
        if (GRANTS_ACCESS.contains(status)) {
            if (sub.plan() == null) {
                return free(status, sub, null, null, "price " + sub.priceId() + " is not a configured plan");
            }
            return new Decision(
                    sub.plan(),
                    status,
                    sub.id(),
                    sub.priceId(),
                    sub.currentPeriodStart(),
                    sub.currentPeriodEnd(),
                    sub.cancelAtPeriodEnd(),
                    sub.cancelAt(),
                    null,
                    null,
                    sub.cancelAt(),
                    sub.cancelAt() == null ? status : status + ", ends " + sub.cancelAt());
        }
        if (PAST_DUE.equals(status)) {
            Instant since = applied.pastDueSince() != null ? applied.pastDueSince() : now;
            Instant until = since.plus(grace);
            if (now.isBefore(until) && sub.plan() != null) {
                // Keep the last paid period: an unpaid period must not start a fresh quota.
                boolean keepPeriod = applied.paid() && applied.periodStart() != null;
                return new Decision(
                        sub.plan(),
                        status,
                        sub.id(),
                        sub.priceId(),
                        keepPeriod ? applied.periodStart() : null,
                        keepPeriod ? applied.periodEnd() : null,
                        sub.cancelAtPeriodEnd(),
                        sub.cancelAt(),
                        since,
                        until,
                        earliest(until, sub.cancelAt()),
                        "payment overdue, grace period until " + until);
            }
            return free(status, sub, since, until, "payment overdue, grace period ended " + until);
        }
        return free(status, sub, null, null, "no access while " + status);
    }

    private static Decision free(
            String status, StripeSubscription sub, Instant pastDueSince, Instant graceUntil, String reason) {
        return new Decision(
                SubscriptionState.FREE,
                status,
                sub.id(),
                sub.priceId(),
                null,
                null,
                sub.cancelAtPeriodEnd(),
                sub.cancelAt(),
                pastDueSince,
                graceUntil,
                null,
                reason);
    }

    static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isBefore(b) ? a : b;
    }
}
