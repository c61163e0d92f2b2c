package com.figureforge.workflows.billing;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One long-lived run per user, id {@code subscription/<user>} ({@link
 * com.figureforge.workflows.WorkflowIds#subscription}), started and signalled by the Stripe webhook
 * with signal-with-start ({@link SubscriptionWorkflows#signalWithStart}). It keeps the user's plan,
 * subscription status and billing period in DynamoDB in step with Stripe:
 *
 * <ul>
 *   <li>events are handled one at a time in order of arrival and deduplicated by event id;
 *   <li>each one applies the customer's <em>current</em> subscription, fetched from Stripe, so repeated and
 *       out-of-order deliveries end in the same state;
 *   <li>a {@code past_due} subscription keeps its plan for a grace period (durable timer), then falls
 *       back to free unless paid meanwhile;
 *   <li>a subscription set to cancel (at period end or a date) is re-checked then and downgraded if it
 *       really ended.
 * </ul>
 *
 * It never completes on its own: it continues as new every few hundred events. Canceling or
 * terminating it (account deletion) loses nothing that Stripe and DynamoDB do not hold.
 */
@WorkflowInterface
public interface SubscriptionWorkflow {

    @WorkflowMethod
    void run(SubscriptionInput input);

    /** A Stripe webhook event for this user; queued and handled in order of arrival. */
    @SignalMethod
    void stripeEvent(StripeEventSignal event);

    /**
     * Applies a completed checkout now (the user is back on the success page before any webhook).
     * Queued behind earlier events like one; answers once it is applied. Idempotent by request id, and
     * with the webhook's later events (each re-applies Stripe's current state).
     */
    @UpdateMethod
    SubscriptionState syncCheckout(CheckoutSync request);

    /** Swaps the live subscription's price (upgrade now, downgrade at period end) and applies the result. */
    @UpdateMethod
    PlanChangeResult changePlan(PlanChange request);

    /** The current state, for the API and operators. */
    @QueryMethod
    SubscriptionState state();
}
