package com.figureforge.workflows.billing;

import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * Which Stripe customer the workflow follows after an event: the first one it learns; a completed
 * checkout of this user (webhook or the API's sync) as another customer switches to it; any other event
 * about another customer only re-syncs the followed one, so a stale customer cannot downgrade the user.
 */
final class FollowedCustomer {

    private static final Logger log = Workflow.getLogger(FollowedCustomer.class);

    private FollowedCustomer() {}

    static String after(String userId, String followed, StripeEventSignal event) {
        String eventCustomer = event.customerId();
        if (eventCustomer == null || eventCustomer.equals(followed)) {
            return followed;
        }
        if (followed == null) {
            return eventCustomer;
        }
        if (StripeEventTypes.completesCheckout(event.type()) && userId.equals(event.userId())) {
            log.warn(
                    "User {} completed a checkout as customer {}, now following it instead of {}",
                    userId,
                    eventCustomer,
                    followed);
            return eventCustomer;
        }
        log.warn(
                "Stripe event {} is about customer {}, not the followed {}: re-syncing the followed one",
                event.eventId(),
                eventCustomer,
                followed);
        return followed;
    }
}
