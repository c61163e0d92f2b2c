package com.figureforge.workflows.subscription;

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
        return new FetchSubscriptionOutput(customer, customer == null ? null : stripe.get(customer));
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
