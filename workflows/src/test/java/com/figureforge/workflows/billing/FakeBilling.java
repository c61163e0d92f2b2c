package com.figureforge.workflows.billing;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stripe and the user record behind the activity boundary: {@link #stripe} is what Stripe reports now
 * per customer (tests change it as Stripe would), {@link #user} is what the workflow last wrote. The
 * real activities are tested against WireMock and dynalite in the activities module.
 */
class FakeBilling implements SubscriptionActivities {

    /** The current subscription of each customer, as Stripe would answer now; absent = none. */
    final Map<String, StripeSubscription> stripe = new ConcurrentHashMap<>();

    final Map<String, String> customerOfSubscription = new ConcurrentHashMap<>();
    final List<FetchSubscriptionInput> fetches = new CopyOnWriteArrayList<>();
    final List<ApplyPlanInput> writes = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<RuntimeException> fetchFailures = new ConcurrentLinkedQueue<>();
    /** What was last written per user: the user records. */
    final Map<String, ApplyPlanInput> users = new ConcurrentHashMap<>();

    volatile boolean userExists = true;

    /** Further live subscriptions per customer (made outside the app), besides {@link #stripe}'s. */
    final Map<String, List<StripeSubscription>> duplicates = new ConcurrentHashMap<>();

    final List<ChangePriceInput> priceChanges = new CopyOnWriteArrayList<>();
    final List<CancelDuplicateInput> duplicateCancels = new CopyOnWriteArrayList<>();

    void set(String customerId, StripeSubscription subscription) {
        stripe.put(customerId, subscription);
        customerOfSubscription.put(subscription.id(), customerId);
    }

    @Override
    public FetchSubscriptionOutput fetchSubscription(FetchSubscriptionInput input) {
        fetches.add(input);
        RuntimeException failure = fetchFailures.poll();
        if (failure != null) {
            throw failure;
        }
        String customer =
                input.customerId() != null ? input.customerId() : customerOfSubscription.get(input.subscriptionId());
        return new FetchSubscriptionOutput(
                customer,
                customer == null ? null : stripe.get(customer),
                customer == null ? List.of() : List.copyOf(duplicates.getOrDefault(customer, List.of())));
    }

    /**
     * Like Stripe: an upgrade swaps the price at once and keeps the period; a downgrade is only scheduled
     * (the test moves the price at the period end itself).
     */
    @Override
    public ChangePriceOutput changePrice(ChangePriceInput input) {
        priceChanges.add(input);
        StripeSubscription current = stripe.get(input.customerId());
        if (current == null || !"active".equals(current.status())) {
            return new ChangePriceOutput(PlanChangeResult.NO_SUBSCRIPTION, null, null);
        }
        if (current.priceId().equals(input.priceId())) {
            return new ChangePriceOutput(PlanChangeResult.UNCHANGED, current.id(), null);
        }
        if (!input.upgrade()) {
            return new ChangePriceOutput(PlanChangeResult.SCHEDULED, null, current.currentPeriodEnd());
        }
        String plan = input.priceId().substring("price_".length());
        set(
                input.customerId(),
                subscription(current.id(), "active", plan, current.currentPeriodStart(), current.currentPeriodEnd()));
        return new ChangePriceOutput(PlanChangeResult.CHANGED, current.id(), current.currentPeriodStart());
    }

    @Override
    public void cancelDuplicate(CancelDuplicateInput input) {
        duplicateCancels.add(input);
        duplicates.computeIfPresent(
                input.customerId(),
                (customer, subs) -> subs.stream()
                        .filter(s -> !s.id().equals(input.subscriptionId()))
                        .toList());
    }

    List<ApplyPlanInput> writesOf(String userId) {
        return writes.stream().filter(w -> w.userId().equals(userId)).toList();
    }

    List<FetchSubscriptionInput> fetchesOf(String customerId) {
        return fetches.stream().filter(f -> customerId.equals(f.customerId())).toList();
    }

    @Override
    public ApplyPlanOutput applyPlan(ApplyPlanInput input) {
        writes.add(input);
        if (userExists) {
            users.put(input.userId(), input);
        }
        return new ApplyPlanOutput(userExists);
    }

    static StripeSubscription subscription(String id, String status, String plan, Instant start, Instant end) {
        return new StripeSubscription(id, status, "price_" + plan, plan, start, end, false, null, null, null, start);
    }

    static StripeSubscription cancelingAtPeriodEnd(StripeSubscription s) {
        return new StripeSubscription(
                s.id(),
                s.status(),
                s.priceId(),
                s.plan(),
                s.currentPeriodStart(),
                s.currentPeriodEnd(),
                true,
                s.currentPeriodEnd(),
                s.currentPeriodStart().plusSeconds(3600),
                null,
                s.created());
    }

    static StripeSubscription withStatus(StripeSubscription s, String status) {
        return new StripeSubscription(
                s.id(),
                status,
                s.priceId(),
                s.plan(),
                s.currentPeriodStart(),
                s.currentPeriodEnd(),
                s.cancelAtPeriodEnd(),
                s.cancelAt(),
                s.canceledAt(),
                "canceled".equals(status) ? s.currentPeriodEnd() : s.endedAt(),
                s.created());
    }
}
