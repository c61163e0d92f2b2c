package com.figureforge.adapters.stripe;

import static com.figureforge.adapters.stripe.StripeGateway.idempotent;

import com.figureforge.workflows.billing.PlanChangeResult;
import com.figureforge.workflows.billing.SubscriptionActivities.ChangePriceOutput;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.SubscriptionSchedule;
import com.stripe.param.SubscriptionCancelParams;
import com.stripe.param.SubscriptionScheduleCreateParams;
import com.stripe.param.SubscriptionScheduleUpdateParams;
import com.stripe.param.SubscriptionScheduleUpdateParams.Phase;
import com.stripe.param.SubscriptionUpdateParams;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to a live subscription, the way Stripe recommends them: an upgrade swaps the item's price at
 * once and invoices the prorated difference now ({@code proration_behavior=always_invoice}, {@code
 * payment_behavior=pending_if_incomplete}, so an unpaid upgrade never applies); a downgrade goes through
 * a subscription schedule whose second phase, on the cheaper price, starts at the period end (no
 * proration: the paid period is used up). A second live subscription is canceled with a prorated credit.
 * Every write carries an idempotency key derived from the caller's.
 */
public class StripeSubscriptionChanges {

    private static final Logger log = LoggerFactory.getLogger(StripeSubscriptionChanges.class);

    private final StripeGateway gateway;
    private final StripeClient stripe;

    public StripeSubscriptionChanges(StripeGateway gateway) {
        this.gateway = gateway;
        this.stripe = gateway.client();
    }

    /** Moves the customer's live subscription to {@code priceId}; see the class comment for how. */
    public ChangePriceOutput changePrice(String customerId, String priceId, boolean upgrade, String key) {
        Optional<Subscription> live = gateway.currentSubscription(customerId)
                .filter(s -> StripeGateway.LIVE_STATUSES.contains(s.getStatus()));
        if (live.isEmpty()) {
            return new ChangePriceOutput(PlanChangeResult.NO_SUBSCRIPTION, null, null);
        }
        Subscription subscription = live.get();
        SubscriptionItem item = subscription.getItems().getData().getFirst();
        Instant periodEnd = Instant.ofEpochSecond(item.getCurrentPeriodEnd());
        try {
            if (priceId.equals(item.getPrice().getId())) {
                // Undo a downgrade scheduled earlier: staying on the current price is the change asked for.
                release(subscription, key);
                return new ChangePriceOutput(PlanChangeResult.UNCHANGED, subscription.getId(), null);
            }
            if (upgrade) {
                release(subscription, key);
                stripe.v1()
                        .subscriptions()
                        .update(
                                subscription.getId(),
                                SubscriptionUpdateParams.builder()
                                        .addItem(SubscriptionUpdateParams.Item.builder()
                                                .setId(item.getId())
                                                .setPrice(priceId)
                                                .build())
                                        .setProrationBehavior(SubscriptionUpdateParams.ProrationBehavior.ALWAYS_INVOICE)
                                        .setPaymentBehavior(
                                                SubscriptionUpdateParams.PaymentBehavior.PENDING_IF_INCOMPLETE)
                                        .build(),
                                idempotent(key + ":upgrade"));
                log.info("Subscription {} upgraded to {}", subscription.getId(), priceId);
                return new ChangePriceOutput(PlanChangeResult.CHANGED, subscription.getId(), Instant.now());
            }
            scheduleDowngrade(subscription, item, priceId, key);
            log.info("Subscription {} moves to {} at {}", subscription.getId(), priceId, periodEnd);
            return new ChangePriceOutput(PlanChangeResult.SCHEDULED, null, periodEnd);
        } catch (StripeException e) {
            throw StripeGatewayException.from("changing subscription " + subscription.getId() + " to " + priceId, e);
        }
    }

    private void scheduleDowngrade(Subscription subscription, SubscriptionItem item, String priceId, String key)
            throws StripeException {
        String scheduleId = subscription.getSchedule();
        if (scheduleId == null) {
            SubscriptionSchedule schedule = stripe.v1()
                    .subscriptionSchedules()
                    .create(
                            SubscriptionScheduleCreateParams.builder()
                                    .setFromSubscription(subscription.getId())
                                    .build(),
                            idempotent(key + ":schedule"));
            scheduleId = schedule.getId();
        }
        stripe.v1()
                .subscriptionSchedules()
                .update(
                        scheduleId,
                        SubscriptionScheduleUpdateParams.builder()
                                .addPhase(Phase.builder()
                                        .addItem(Phase.Item.builder()
                                                .setPrice(item.getPrice().getId())
                                                .setQuantity(1L)
                                                .build())
                                        .setStartDate(item.getCurrentPeriodStart())
                                        .setEndDate(item.getCurrentPeriodEnd())
                                        .build())
                                .addPhase(Phase.builder()
                                        .addItem(Phase.Item.builder()
                                                .setPrice(priceId)
                                                .setQuantity(1L)
                                                .build())
                                        .setProrationBehavior(Phase.ProrationBehavior.NONE)
                                        .build())
                                .setEndBehavior(SubscriptionScheduleUpdateParams.EndBehavior.RELEASE)
                                .build(),
                        idempotent(key + ":phases"));
    }

    /** Drops a pending scheduled change, keeping the subscription as it is now. */
    private void release(Subscription subscription, String key) throws StripeException {
        if (subscription.getSchedule() != null) {
            stripe.v1().subscriptionSchedules().release(subscription.getSchedule(), idempotent(key + ":release"));
        }
    }

    /** Cancels at once with a prorated credit for the unused time; an already ended one counts as done. */
    public void cancelWithProratedCredit(String subscriptionId, String key) {
        Optional<Subscription> subscription = gateway.retrieveSubscription(subscriptionId);
        if (subscription.isEmpty()
                || StripeGateway.TERMINAL_STATUSES.contains(subscription.get().getStatus())) {
            return;
        }
        try {
            stripe.v1()
                    .subscriptions()
                    .cancel(
                            subscriptionId,
                            SubscriptionCancelParams.builder()
                                    .setProrate(true)
                                    .setInvoiceNow(true)
                                    .build(),
                            idempotent(key));
            log.warn("Canceled duplicate subscription {} with a prorated credit", subscriptionId);
        } catch (StripeException e) {
            if (StripeGateway.isMissing(e)) {
                return;
            }
            throw StripeGatewayException.from("canceling duplicate subscription " + subscriptionId, e);
        }
    }
}
