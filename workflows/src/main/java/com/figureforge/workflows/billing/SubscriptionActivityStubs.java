package com.figureforge.workflows.billing;

import com.figureforge.workflows.RetryPolicies;
import com.figureforge.workflows.TaskQueues;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/** The subscription workflow's activity stubs, each with a summary for the Web UI. */
final class SubscriptionActivityStubs {

    /** Stripe calls retry until Stripe answers: an outage delays the queue, it does not drop events. */
    private static final RetryOptions STRIPE_RETRY = RetryPolicies.backingOffTo(Duration.ofMinutes(5));

    private SubscriptionActivityStubs() {}

    static SubscriptionActivities stripe(String summary) {
        return stub(summary, STRIPE_RETRY);
    }

    static SubscriptionActivities storage(String summary) {
        return stub(summary, RetryPolicies.STORAGE);
    }

    private static SubscriptionActivities stub(String summary, RetryOptions retry) {
        return Workflow.newActivityStub(
                SubscriptionActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.STORAGE)
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setRetryOptions(retry)
                        .setSummary(summary)
                        .build());
    }
}
