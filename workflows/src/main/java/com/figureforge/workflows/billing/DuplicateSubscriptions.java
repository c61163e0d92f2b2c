package com.figureforge.workflows.billing;

import com.figureforge.workflows.FailureChain;
import com.figureforge.workflows.billing.SubscriptionActivities.CancelDuplicateInput;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.util.List;
import org.slf4j.Logger;

/**
 * One live subscription per user. A second one can only come from outside the app (the Stripe
 * dashboard, an old checkout link); the workflow keeps the higher plan (the fetch puts it first) and
 * cancels the others with a prorated credit, counted in the metric {@value #METRIC}.
 */
final class DuplicateSubscriptions {

    static final String METRIC = "figureforge_subscription_duplicates_canceled";

    /** Marks histories that may cancel duplicates: recorded before it, they replay without. */
    static final String VERSION_CHANGE = "heal-duplicate-subscriptions";

    private static final Logger log = Workflow.getLogger(DuplicateSubscriptions.class);

    private DuplicateSubscriptions() {}

    /** @return how many of {@code duplicates} were canceled (a failure leaves the rest for a re-check) */
    static int cancel(
            String userId,
            String customerId,
            StripeSubscription kept,
            List<StripeSubscription> duplicates,
            String trigger) {
        if (Workflow.getVersion(VERSION_CHANGE, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
            return 0;
        }
        int canceled = 0;
        for (StripeSubscription duplicate : duplicates) {
            try {
                SubscriptionActivityStubs.stripe("Cancel duplicate subscription " + duplicate.id())
                        .cancelDuplicate(new CancelDuplicateInput(customerId, duplicate.id(), kept.id()));
            } catch (ActivityFailure failure) {
                log.error(
                        "User {}: canceling duplicate subscription {} failed: {}",
                        userId,
                        duplicate.id(),
                        FailureChain.rootMessage(failure));
                continue;
            }
            canceled++;
            Workflow.getMetricsScope().counter(METRIC).inc(1);
            log.warn(
                    "User {}: customer {} had a second live subscription {} ({}) besides {} ({}); canceled it with a"
                            + " prorated credit (after {})",
                    userId,
                    customerId,
                    duplicate.id(),
                    duplicate.plan(),
                    kept.id(),
                    kept.plan(),
                    trigger);
        }
        return canceled;
    }
}
