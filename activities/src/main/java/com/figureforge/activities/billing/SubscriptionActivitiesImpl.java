package com.figureforge.activities.billing;

import com.figureforge.activities.generation.ActivityFailures;
import com.figureforge.adapters.data.PlanUpdate;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.stripe.StripeGateway;
import com.figureforge.adapters.stripe.StripeGatewayException;
import com.figureforge.adapters.stripe.StripePlanPrices;
import com.figureforge.adapters.stripe.StripeSubscriptionChanges;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.billing.StripeSubscription;
import com.figureforge.workflows.billing.SubscriptionActivities;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The subscription workflow's view of Stripe and its one write to the user. Both methods are idempotent:
 * the fetch only reads, and the write sets absolute values ({@link UserRepository#updatePlan}).
 */
@Component
@ActivityImpl(taskQueues = TaskQueues.STORAGE)
public class SubscriptionActivitiesImpl implements SubscriptionActivities {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionActivitiesImpl.class);

    private final StripeGateway stripe;
    private final UserRepository users;
    private final StripePlanPrices prices;
    private final StripeSubscriptionChanges changes;

    public SubscriptionActivitiesImpl(
            StripeGateway stripe, UserRepository users, StripePlanPrices prices, StripeSubscriptionChanges changes) {
        this.stripe = stripe;
        this.users = users;
        this.prices = prices;
        this.changes = changes;
    }

    @Override
    public FetchSubscriptionOutput fetchSubscription(FetchSubscriptionInput input) {
        try {
            String customerId = input.customerId();
            if (customerId == null) {
                if (input.subscriptionId() == null) {
                    throw ApplicationFailure.newNonRetryableFailure(
                            "fetchSubscription needs a customer or a subscription id", "IllegalArgumentException");
                }
                Optional<Subscription> subscription = stripe.retrieveSubscription(input.subscriptionId());
                if (subscription.isEmpty()) {
                    return new FetchSubscriptionOutput(null, null);
                }
                customerId = subscription.get().getCustomer();
            }
            List<Subscription> all = stripe.subscriptionsOf(customerId);
            List<Subscription> live = all.stream()
                    .filter(s -> StripeGateway.LIVE_STATUSES.contains(s.getStatus()))
                    .sorted(highestPlanFirst())
                    .toList();
            if (live.isEmpty()) {
                StripeSubscription current =
                        StripeGateway.current(all).map(this::toRecord).orElse(null);
                return new FetchSubscriptionOutput(customerId, current, List.of());
            }
            List<StripeSubscription> others =
                    live.subList(1, live.size()).stream().map(this::toRecord).toList();
            return new FetchSubscriptionOutput(customerId, toRecord(live.getFirst()), others);
        } catch (StripeGatewayException e) {
            throw failure(e);
        }
    }

    /** Of several live subscriptions the one kept: the higher plan, then the newer. */
    private Comparator<Subscription> highestPlanFirst() {
        Comparator<Subscription> byRank = Comparator.comparingInt(s -> prices.rankOfPrice(priceOf(s)));
        Comparator<Subscription> byCreated = Comparator.comparingLong(s -> s.getCreated() == null ? 0 : s.getCreated());
        return byRank.thenComparing(byCreated).reversed();
    }

    private static String priceOf(Subscription subscription) {
        var items = subscription.getItems();
        if (items == null || items.getData() == null || items.getData().isEmpty()) {
            return null;
        }
        var price = items.getData().getFirst().getPrice();
        return price == null ? null : price.getId();
    }

    @Override
    public ChangePriceOutput changePrice(ChangePriceInput input) {
        try {
            return changes.changePrice(input.customerId(), input.priceId(), input.upgrade(), input.idempotencyKey());
        } catch (StripeGatewayException e) {
            throw failure(e);
        }
    }

    @Override
    public void cancelDuplicate(CancelDuplicateInput input) {
        try {
            changes.cancelWithProratedCredit(input.subscriptionId(), "duplicate-" + input.subscriptionId());
        } catch (StripeGatewayException e) {
            throw failure(e);
        }
    }

    @Override
    public ApplyPlanOutput applyPlan(ApplyPlanInput input) {
        boolean found = users.updatePlan(
                        input.userId(),
                        new PlanUpdate(
                                input.plan(),
                                input.status(),
                                input.customerId(),
                                input.periodStart(),
                                input.periodEnd()))
                .isPresent();
        if (found) {
            log.info("User {} now on plan {} ({})", input.userId(), input.plan(), input.status());
        } else {
            log.warn("User {} does not exist: plan {} not written", input.userId(), input.plan());
        }
        return new ApplyPlanOutput(found);
    }

    /** Stripe's subscription as the workflow sees it; the period is the first item's (API 2026-07-29.dahlia). */
    StripeSubscription toRecord(Subscription subscription) {
        SubscriptionItem item = subscription.getItems() == null
                        || subscription.getItems().getData() == null
                        || subscription.getItems().getData().isEmpty()
                ? null
                : subscription.getItems().getData().getFirst();
        String priceId =
                item == null || item.getPrice() == null ? null : item.getPrice().getId();
        Instant periodStart = item == null ? null : instant(item.getCurrentPeriodStart());
        Instant periodEnd = item == null ? null : instant(item.getCurrentPeriodEnd());
        boolean cancelAtPeriodEnd = Boolean.TRUE.equals(subscription.getCancelAtPeriodEnd());
        Instant cancelAt = instant(subscription.getCancelAt());
        if (cancelAt == null && cancelAtPeriodEnd) {
            cancelAt = periodEnd;
        }
        return new StripeSubscription(
                subscription.getId(),
                subscription.getStatus(),
                priceId,
                prices.planOf(priceId).orElse(null),
                periodStart,
                periodEnd,
                cancelAtPeriodEnd,
                cancelAt,
                instant(subscription.getCanceledAt()),
                instant(subscription.getEndedAt()),
                instant(subscription.getCreated()));
    }

    private static Instant instant(Long epochSeconds) {
        return epochSeconds == null ? null : Instant.ofEpochSecond(epochSeconds);
    }

    private static ApplicationFailure failure(StripeGatewayException e) {
        return ActivityFailures.of(
                e.retryable() ? FailureType.STRIPE_UNAVAILABLE : FailureType.STRIPE_REJECTED, e.getMessage(), e);
    }
}
