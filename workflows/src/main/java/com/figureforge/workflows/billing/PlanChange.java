package com.figureforge.workflows.billing;

/**
 * An in-app plan change ({@link SubscriptionWorkflow#changePlan}): swap the live subscription's price.
 *
 * @param requestId unique per API request; the Stripe idempotency keys derive from it
 * @param plan the plan to move to
 * @param priceId its Stripe price
 * @param upgrade true: charged and applied now (prorated); false: applied at the period end
 */
public record PlanChange(String requestId, String plan, String priceId, boolean upgrade) {

    public PlanChange {
        if (requestId == null || requestId.isBlank() || plan == null || priceId == null) {
            throw new IllegalArgumentException("a plan change needs a request id, a plan and a price");
        }
    }
}
