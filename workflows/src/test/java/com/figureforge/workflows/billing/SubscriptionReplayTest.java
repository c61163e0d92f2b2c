package com.figureforge.workflows.billing;

import static com.figureforge.workflows.billing.FakeBilling.subscription;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.RecordedHistories;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Guards determinism: a history recorded from an earlier build (checkout, failed payment, grace
 * expiry by timer, late payment, a repeated event) must replay against today's code. A change that
 * fails here needs {@code Workflow.getVersion}, not a new recording. Record a new history (after an
 * intended, versioned change) with {@code -Dfigureforge.recordHistories=true}.
 */
class SubscriptionReplayTest {

    private static final String RECORDED = "/histories/subscription-grace-expiry.json";
    /** Recorded with sync-after-checkout, an upgrade, a scheduled downgrade and a duplicate canceled. */
    private static final String RECORDED_UPDATES = "/histories/subscription-updates-and-duplicates.json";

    private static final String USER = "alice";
    private static final String CUSTOMER = "cus_alice";

    @Test
    void recordedHistoryReplaysAgainstCurrentCode() throws Exception {
        RecordedHistories.replayRecorded(RECORDED, SubscriptionWorkflowImpl.class);
    }

    @Test
    void freshHistoryReplaysAndCanBeRecorded() throws Exception {
        RecordedHistories.replayFresh(runAndFetchHistory(), RECORDED, SubscriptionWorkflowImpl.class);
    }

    @Test
    void recordedHistoryWithUpdatesReplaysAgainstCurrentCode() throws Exception {
        RecordedHistories.replayRecorded(RECORDED_UPDATES, SubscriptionWorkflowImpl.class);
    }

    @Test
    void freshHistoryWithUpdatesReplaysAndCanBeRecorded() throws Exception {
        RecordedHistories.replayFresh(runUpdatesAndFetchHistory(), RECORDED_UPDATES, SubscriptionWorkflowImpl.class);
    }

    private static WorkflowExecutionHistory runUpdatesAndFetchHistory() {
        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            FigureForgeSearchAttributes.ALL.forEach(
                    attribute -> env.registerSearchAttribute(attribute.getName(), attribute.getValueType()));
            FakeBilling billing = new FakeBilling();
            env.newWorker(TaskQueues.WORKFLOWS).registerWorkflowImplementationTypes(SubscriptionWorkflowImpl.class);
            env.newWorker(TaskQueues.STORAGE).registerActivitiesImplementations(billing);
            env.start();
            WorkflowClient client = env.getWorkflowClient();
            SubscriptionInput start = SubscriptionInput.start(USER, null, SubscriptionSettings.defaults());
            Instant now = Instant.ofEpochMilli(env.currentTimeMillis()).truncatedTo(ChronoUnit.SECONDS);
            Instant end = now.plus(30, ChronoUnit.DAYS);
            Duration timeout = Duration.ofSeconds(10);

            billing.set(CUSTOMER, subscription("sub_1", "active", "hobby", now, end));
            SubscriptionWorkflows.syncCheckout(
                    client, start, new CheckoutSync("checkout:cs_1", CUSTOMER, "sub_1"), timeout);
            SubscriptionWorkflows.changePlan(
                    client, start, new PlanChange("req-1", "studio", "price_studio", true), timeout);
            SubscriptionWorkflows.changePlan(
                    client, start, new PlanChange("req-2", "pro", "price_pro", false), timeout);
            billing.duplicates.put(CUSTOMER, List.of(subscription("sub_2", "active", "hobby", now, end)));
            SubscriptionWorkflows.signalWithStart(
                    client, start, signal("evt_1", StripeEventTypes.SUBSCRIPTION_CREATED, now, USER));
            await(client, s -> s.duplicatesCanceled() == 1);

            return client.fetchHistory(WorkflowIds.subscription(USER));
        }
    }

    private static WorkflowExecutionHistory runAndFetchHistory() {
        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            FigureForgeSearchAttributes.ALL.forEach(
                    attribute -> env.registerSearchAttribute(attribute.getName(), attribute.getValueType()));
            FakeBilling billing = new FakeBilling();
            env.newWorker(TaskQueues.WORKFLOWS).registerWorkflowImplementationTypes(SubscriptionWorkflowImpl.class);
            env.newWorker(TaskQueues.STORAGE).registerActivitiesImplementations(billing);
            env.start();
            WorkflowClient client = env.getWorkflowClient();
            SubscriptionInput start = SubscriptionInput.start(USER, null, SubscriptionSettings.defaults());
            Instant now = Instant.ofEpochMilli(env.currentTimeMillis()).truncatedTo(ChronoUnit.SECONDS);
            Instant end = now.plus(30, ChronoUnit.DAYS);

            billing.set(CUSTOMER, subscription("sub_1", "active", "pro", now, end));
            StripeEventSignal checkout = signal("evt_1", StripeEventTypes.CHECKOUT_SESSION_COMPLETED, now, USER);
            SubscriptionWorkflows.signalWithStart(client, start, checkout);
            await(client, s -> s.eventsApplied() == 1);

            billing.set(CUSTOMER, subscription("sub_1", "past_due", "pro", now, end));
            SubscriptionWorkflows.signalWithStart(
                    client, start, signal("evt_2", StripeEventTypes.INVOICE_PAYMENT_FAILED, now, null));
            await(client, s -> s.eventsApplied() == 2);

            env.sleep(SubscriptionSettings.DEFAULT_GRACE_PERIOD.plusHours(1));
            await(client, s -> s.plan().equals("free"));

            billing.set(CUSTOMER, subscription("sub_1", "active", "pro", end, end.plus(30, ChronoUnit.DAYS)));
            SubscriptionWorkflows.signalWithStart(
                    client, start, signal("evt_3", StripeEventTypes.INVOICE_PAID, end, null));
            SubscriptionWorkflows.signalWithStart(client, start, checkout);
            await(client, s -> s.eventsApplied() == 3 && s.duplicatesIgnored() == 1);

            return client.fetchHistory(WorkflowIds.subscription(USER));
        }
    }

    private static StripeEventSignal signal(String id, String type, Instant created, String userId) {
        return new StripeEventSignal(id, type, created.getEpochSecond(), CUSTOMER, "sub_1", userId);
    }

    private static void await(WorkflowClient client, Predicate<SubscriptionState> condition) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (condition.test(SubscriptionWorkflows.existing(client, USER).state())) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("the workflow did not reach the expected state");
    }
}
