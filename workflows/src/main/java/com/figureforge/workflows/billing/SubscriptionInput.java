package com.figureforge.workflows.billing;

import java.util.List;

/**
 * Input of {@link SubscriptionWorkflow#run}. A first start (signal-with-start from the webhook) gives
 * the user id, optionally the user's known Stripe customer id, and settings; continue-as-new carries
 * the state and the events not handled yet.
 *
 * @param customerId the user's Stripe customer if known (stored on the user), else null
 * @param state null on a first start; the state to continue from after continue-as-new
 * @param pending events received but not handled yet (continue-as-new), handled before newer ones
 */
public record SubscriptionInput(
        String userId,
        String customerId,
        SubscriptionSettings settings,
        SubscriptionState state,
        List<StripeEventSignal> pending) {

    public SubscriptionInput {
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
        settings = settings == null ? SubscriptionSettings.defaults() : settings;
        pending = pending == null ? List.of() : List.copyOf(pending);
    }

    /** The state to go on from: the carried one, or on a first start a free user following {@code customerId}. */
    SubscriptionState startingState() {
        return state != null ? state : SubscriptionState.initial(userId, customerId);
    }

    /** The input of a first start. */
    public static SubscriptionInput start(String userId, String customerId, SubscriptionSettings settings) {
        return new SubscriptionInput(userId, customerId, settings, null, List.of());
    }
}
