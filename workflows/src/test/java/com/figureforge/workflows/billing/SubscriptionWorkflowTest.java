package com.figureforge.workflows.billing;

import static com.figureforge.workflows.billing.FakeBilling.cancelingAtPeriodEnd;
import static com.figureforge.workflows.billing.FakeBilling.subscription;
import static com.figureforge.workflows.billing.FakeBilling.withStatus;
import static com.figureforge.workflows.billing.StripeEventTypes.CHECKOUT_SESSION_COMPLETED;
import static com.figureforge.workflows.billing.StripeEventTypes.INVOICE_PAID;
import static com.figureforge.workflows.billing.StripeEventTypes.INVOICE_PAYMENT_FAILED;
import static com.figureforge.workflows.billing.StripeEventTypes.SUBSCRIPTION_CREATED;
import static com.figureforge.workflows.billing.StripeEventTypes.SUBSCRIPTION_DELETED;
import static com.figureforge.workflows.billing.StripeEventTypes.SUBSCRIPTION_UPDATED;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.TimerSummaries;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.billing.SubscriptionActivities.ApplyPlanInput;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The subscription workflow on the time-skipping test server, with Stripe and the user record faked
 * behind the activity interface. Time moves only in {@code env.sleep}, so timers (grace period, period
 * end) fire exactly where a test skips past them.
 */
class SubscriptionWorkflowTest {

    private static final String USER = "alice";
    private static final String CUSTOMER = "cus_alice";
    private static final Duration GRACE = Duration.ofDays(7);

    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private FakeBilling billing;
    private SubscriptionSettings settings = SubscriptionSettings.withGracePeriod(GRACE);
    private final Map<String, Integer> sent = new HashMap<>();
    private int eventSequence;

    @BeforeEach
    void startEnvironment() {
        env = TestWorkflowEnvironment.newInstance();
        FigureForgeSearchAttributes.ALL.forEach(
                attribute -> env.registerSearchAttribute(attribute.getName(), attribute.getValueType()));
        billing = new FakeBilling();
        env.newWorker(TaskQueues.WORKFLOWS).registerWorkflowImplementationTypes(SubscriptionWorkflowImpl.class);
        env.newWorker(TaskQueues.STORAGE).registerActivitiesImplementations(billing);
        env.start();
        client = env.getWorkflowClient();
    }

    @AfterEach
    void stopEnvironment() {
        env.close();
    }

    @Test
    void checkoutUpgradesAFreeUserAndALaterPriceChangeUpgradesFurther() {
        Instant start = now();
        Instant end = start.plus(30, ChronoUnit.DAYS);
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", start, end));

        send(checkout());
        SubscriptionState pro = awaitHandled(USER);

        assertThat(pro.plan()).isEqualTo("pro");
        assertThat(pro.status()).isEqualTo("active");
        assertThat(pro.customerId()).isEqualTo(CUSTOMER);
        assertThat(pro.subscriptionId()).isEqualTo("sub_1");
        assertThat(pro.periodStart()).isEqualTo(start);
        assertThat(pro.periodEnd()).isEqualTo(end);
        assertThat(pro.nextCheckAt()).isNull();
        assertThat(billing.users.get(USER)).isEqualTo(new ApplyPlanInput(USER, "pro", "active", CUSTOMER, start, end));
        assertThat(planAttribute()).isEqualTo("pro");

        billing.set(CUSTOMER, subscription("sub_1", "active", "studio", start, end));
        send(event(SUBSCRIPTION_UPDATED));
        SubscriptionState studio = awaitHandled(USER);

        assertThat(studio.plan()).isEqualTo("studio");
        assertThat(billing.users.get(USER).plan()).isEqualTo("studio");
        assertThat(planAttribute()).isEqualTo("studio");
        assertThat(billing.writesOf(USER)).hasSize(2);
    }

    @Test
    void downgradeToACheaperPriceAppliesAtOnceAndKeepsTheQuotaPeriod() {
        Instant start = now();
        Instant end = start.plus(30, ChronoUnit.DAYS);
        billing.set(CUSTOMER, subscription("sub_1", "active", "studio", start, end));
        send(checkout());
        awaitHandled(USER);

        billing.set(CUSTOMER, subscription("sub_1", "active", "hobby", start, end));
        send(event(SUBSCRIPTION_UPDATED));
        SubscriptionState hobby = awaitHandled(USER);

        assertThat(hobby.plan()).isEqualTo("hobby");
        assertThat(hobby.periodStart()).isEqualTo(start);
        assertThat(billing.users.get(USER))
                .isEqualTo(new ApplyPlanInput(USER, "hobby", "active", CUSTOMER, start, end));
        assertThat(planAttribute()).isEqualTo("hobby");
    }

    @Test
    void cancellationAtPeriodEndKeepsThePlanUntilThePeriodEndsThenFallsBackToFree() {
        Instant start = now();
        Instant end = start.plus(30, ChronoUnit.DAYS);
        StripeSubscription pro = subscription("sub_1", "active", "pro", start, end);
        billing.set(CUSTOMER, pro);
        send(checkout());
        awaitHandled(USER);

        billing.set(CUSTOMER, cancelingAtPeriodEnd(pro));
        send(event(SUBSCRIPTION_UPDATED));
        SubscriptionState canceling = awaitHandled(USER);

        assertThat(canceling.plan()).isEqualTo("pro");
        assertThat(canceling.cancelAtPeriodEnd()).isTrue();
        assertThat(canceling.cancelAt()).isEqualTo(end);
        assertThat(canceling.nextCheckAt()).isEqualTo(end);

        env.sleep(Duration.ofDays(29));
        assertThat(state(USER).plan()).as("paid until the period ends").isEqualTo("pro");
        assertThat(billing.fetches).hasSize(2);

        // Stripe has not sent customer.subscription.deleted yet: the timer alone ends the plan.
        env.sleep(Duration.ofDays(2));
        SubscriptionState ended = awaitState(USER, s -> s.plan().equals("free"));

        assertThat(ended.status()).isEqualTo("canceled");
        assertThat(ended.periodStart()).isNull();
        assertThat(ended.nextCheckAt()).isNull();
        assertThat(billing.fetches).as("one re-check at the period end").hasSize(3);
        assertThat(billing.users.get(USER))
                .isEqualTo(new ApplyPlanInput(USER, "free", "canceled", CUSTOMER, null, null));
        assertThat(planAttribute()).isEqualTo("free");

        billing.set(CUSTOMER, withStatus(cancelingAtPeriodEnd(pro), "canceled"));
        int writes = billing.writes.size();
        send(event(SUBSCRIPTION_DELETED));
        SubscriptionState deleted = awaitHandled(USER);

        assertThat(deleted.plan()).isEqualTo("free");
        assertThat(billing.writes).as("nothing changed, nothing written").hasSize(writes);
    }

    @Test
    void cancellationUndoneBeforePeriodEndKeepsThePlan() {
        Instant start = now();
        Instant end = start.plus(30, ChronoUnit.DAYS);
        StripeSubscription pro = subscription("sub_1", "active", "pro", start, end);
        billing.set(CUSTOMER, cancelingAtPeriodEnd(pro));
        send(checkout());
        assertThat(awaitHandled(USER).nextCheckAt()).isEqualTo(end);

        billing.set(CUSTOMER, pro);
        send(event(SUBSCRIPTION_UPDATED));
        assertThat(awaitHandled(USER).nextCheckAt()).isNull();

        env.sleep(Duration.ofDays(31));
        SubscriptionState later = state(USER);

        assertThat(later.plan()).isEqualTo("pro");
        assertThat(billing.fetches).as("no re-check scheduled").hasSize(2);
    }

    @Test
    void failedPaymentStartsTheGracePeriodAndInvoicePaidRecoversWithANewQuotaPeriod() {
        Instant start = now();
        Instant end = start.plus(30, ChronoUnit.DAYS);
        Instant nextEnd = end.plus(30, ChronoUnit.DAYS);
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", start, end));
        send(checkout());
        awaitHandled(USER);

        env.sleep(Duration.ofDays(30));
        // Stripe renewed into the next period and the renewal payment failed.
        billing.set(CUSTOMER, subscription("sub_1", "past_due", "pro", end, nextEnd));
        send(event(INVOICE_PAYMENT_FAILED));
        SubscriptionState pastDue = awaitHandled(USER);

        assertThat(pastDue.plan()).as("kept during the grace period").isEqualTo("pro");
        assertThat(pastDue.status()).isEqualTo("past_due");
        assertThat(pastDue.periodStart())
                .as("no new quota period for an unpaid period")
                .isEqualTo(start);
        assertThat(pastDue.pastDueSince()).isNotNull();
        assertThat(pastDue.graceUntil()).isEqualTo(pastDue.pastDueSince().plus(GRACE));
        assertThat(pastDue.nextCheckAt()).isEqualTo(pastDue.graceUntil());
        assertThat(billing.users.get(USER))
                .isEqualTo(new ApplyPlanInput(USER, "pro", "past_due", CUSTOMER, start, end));

        env.sleep(Duration.ofDays(3));
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", end, nextEnd));
        send(event(INVOICE_PAID));
        SubscriptionState recovered = awaitHandled(USER);

        assertThat(recovered.plan()).isEqualTo("pro");
        assertThat(recovered.status()).isEqualTo("active");
        assertThat(recovered.periodStart())
                .as("the paid period starts a new quota period")
                .isEqualTo(end);
        assertThat(recovered.graceUntil()).isNull();
        assertThat(recovered.nextCheckAt()).isNull();
        assertThat(billing.users.get(USER))
                .isEqualTo(new ApplyPlanInput(USER, "pro", "active", CUSTOMER, end, nextEnd));

        env.sleep(GRACE.plusDays(1));
        assertThat(state(USER).plan()).isEqualTo("pro");
        assertThat(billing.fetches).as("the grace timer was dropped").hasSize(3);
    }

    @Test
    void failedPaymentWithoutRecoveryFallsBackToFreeWhenTheGracePeriodEnds() {
        Instant start = now();
        Instant end = start.plus(30, ChronoUnit.DAYS);
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", start, end));
        send(checkout());
        awaitHandled(USER);
        billing.set(CUSTOMER, subscription("sub_1", "past_due", "pro", start, end));
        send(event(INVOICE_PAYMENT_FAILED));
        SubscriptionState pastDue = awaitHandled(USER);

        env.sleep(GRACE.minusHours(1));
        assertThat(state(USER).plan()).isEqualTo("pro");

        env.sleep(Duration.ofHours(2));
        SubscriptionState expired = awaitState(USER, s -> s.plan().equals("free"));

        assertThat(expired.status()).isEqualTo("past_due");
        assertThat(expired.periodStart()).isNull();
        assertThat(expired.graceUntil()).isEqualTo(pastDue.graceUntil());
        assertThat(expired.nextCheckAt()).isNull();
        assertThat(billing.users.get(USER))
                .isEqualTo(new ApplyPlanInput(USER, "free", "past_due", CUSTOMER, null, null));
        assertThat(planAttribute()).isEqualTo("free");

        // Another failed retry keeps the user free; a late payment restores the plan.
        send(event(INVOICE_PAYMENT_FAILED));
        assertThat(awaitHandled(USER).plan()).isEqualTo("free");
        Instant paidStart = now();
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", paidStart, paidStart.plus(30, ChronoUnit.DAYS)));
        send(event(INVOICE_PAID));
        SubscriptionState paid = awaitHandled(USER);

        assertThat(paid.plan()).isEqualTo("pro");
        assertThat(paid.pastDueSince()).isNull();
        assertThat(paid.periodStart()).isEqualTo(paidStart);
    }

    @Test
    void eventsDeliveredTwiceAndOutOfOrderEndInTheSameStateAsInOrder() {
        String bob = "bob";
        String bobCustomer = "cus_bob";
        Instant start = now();
        Instant end = start.plus(30, ChronoUnit.DAYS);

        // Alice: each event is delivered as it happens.
        billing.set(CUSTOMER, subscription("sub_1", "incomplete", "pro", start, end));
        send(checkout());
        send(event(SUBSCRIPTION_CREATED));
        awaitHandled(USER);
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", start, end));
        send(event(INVOICE_PAID));
        awaitHandled(USER);
        billing.set(CUSTOMER, subscription("sub_1", "active", "studio", start, end));
        send(event(SUBSCRIPTION_UPDATED));
        SubscriptionState inOrder = awaitHandled(USER);

        // Bob: the same history, delivered late, out of order and with repeats.
        billing.set(bobCustomer, subscription("sub_2", "active", "studio", start, end));
        StripeEventSignal checkout = event(CHECKOUT_SESSION_COMPLETED, bobCustomer, "sub_2", bob);
        StripeEventSignal created = event(SUBSCRIPTION_CREATED, bobCustomer, "sub_2", null);
        StripeEventSignal paid = event(INVOICE_PAID, bobCustomer, "sub_2", null);
        StripeEventSignal updated = event(SUBSCRIPTION_UPDATED, bobCustomer, "sub_2", null);
        for (StripeEventSignal e : List.of(updated, paid, updated, created, checkout, paid, checkout)) {
            send(bob, e);
        }
        SubscriptionState shuffled = awaitHandled(bob);

        assertThat(shuffled)
                .usingRecursiveComparison()
                .comparingOnlyFields("plan", "status", "priceId", "periodStart", "periodEnd", "nextCheckAt")
                .isEqualTo(inOrder);
        assertThat(shuffled.plan()).isEqualTo("studio");
        assertThat(shuffled.eventsApplied()).isEqualTo(4);
        assertThat(shuffled.duplicatesIgnored()).isEqualTo(3);
        assertThat(billing.fetchesOf(bobCustomer))
                .as("one fetch per distinct event")
                .hasSize(4);
        assertThat(billing.writesOf(bob))
                .as("the first write already had the final state")
                .hasSize(1);
        assertThat(billing.users.get(bob))
                .isEqualTo(new ApplyPlanInput(bob, "studio", "active", bobCustomer, start, end));
    }

    @Test
    void aLateEventOfAnOldSubscriptionDoesNotUndoTheCurrentOne() {
        Instant start = now();
        Instant end = start.plus(30, ChronoUnit.DAYS);
        billing.set(CUSTOMER, subscription("sub_new", "active", "pro", start, end));
        send(checkout());
        awaitHandled(USER);

        // The deletion of an earlier subscription arrives now; the customer's current one is still active.
        send(event(SUBSCRIPTION_DELETED, CUSTOMER, "sub_old", null));
        SubscriptionState after = awaitHandled(USER);

        assertThat(after.plan()).isEqualTo("pro");
        assertThat(after.subscriptionId()).isEqualTo("sub_new");
        assertThat(billing.writesOf(USER)).hasSize(1);
    }

    @Test
    void continueAsNewCarriesStateDedupeAndTimers() {
        settings = new SubscriptionSettings(GRACE.toSeconds(), 3, 0);
        Instant start = now();
        Instant end = start.plus(30, ChronoUnit.DAYS);
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", start, end));
        StripeEventSignal checkout = checkout();
        String firstRun = send(USER, checkout).getRunId();
        awaitHandled(USER);
        billing.set(CUSTOMER, subscription("sub_1", "past_due", "pro", start, end));
        send(event(INVOICE_PAYMENT_FAILED));
        awaitHandled(USER);
        send(checkout); // a repeat, and the third step: the run continues as new
        String secondRun = awaitNewRun(firstRun);
        SubscriptionState carried = state(USER);

        assertThat(carried.plan()).isEqualTo("pro");
        assertThat(carried.status()).isEqualTo("past_due");
        assertThat(carried.customerId()).isEqualTo(CUSTOMER);
        assertThat(carried.duplicatesIgnored()).isEqualTo(1);
        assertThat(carried.recentEventIds()).contains(checkout.eventId());
        assertThat(carried.nextCheckAt()).isEqualTo(carried.graceUntil()).isNotNull();

        // The grace timer was set in the first run: the second run keeps it.
        env.sleep(GRACE.plusHours(1));
        SubscriptionState expired = awaitState(USER, s -> s.plan().equals("free"));
        assertThat(expired.eventsApplied()).isEqualTo(2);

        send(checkout); // still known as handled in the second run
        assertThat(awaitHandled(USER).duplicatesIgnored()).isEqualTo(2);
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", end, end.plus(30, ChronoUnit.DAYS)));
        send(event(INVOICE_PAID)); // the third step of the second run
        awaitNewRun(secondRun);
        SubscriptionState last = awaitHandled(USER);

        assertThat(last.plan()).isEqualTo("pro");
        assertThat(last.eventsApplied()).isEqualTo(3);
        assertThat(billing.fetches).as("2 events + grace check + 1 event").hasSize(4);
        assertThat(planAttribute()).isEqualTo("pro");
    }

    /**
     * A continued run starts without the static summary and details (Temporal sets them at start only; SDK
     * 1.38 has no continue-as-new option for them), so each run shows its state again: current details,
     * search attributes, and the summary of the timer it waits on.
     */
    @Test
    void aContinuedRunShowsOperatorsItsStateAndWhatItWaitsFor() {
        settings = new SubscriptionSettings(GRACE.toSeconds(), 2, 0);
        Instant start = now();
        Instant end = start.plus(30, ChronoUnit.DAYS);
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", start, end));
        String firstRun = send(USER, checkout()).getRunId();
        awaitHandled(USER);
        billing.set(CUSTOMER, subscription("sub_1", "past_due", "pro", start, end));
        send(event(INVOICE_PAYMENT_FAILED)); // the second step: the run continues as new
        String secondRun = awaitNewRun(firstRun);
        SubscriptionState carried = awaitState(USER, s -> s.status().equals("past_due"));

        WorkflowMetadata metadata = client.newUntypedWorkflowStub(WorkflowIds.subscription(USER))
                .query("__temporal_workflow_metadata", WorkflowMetadata.class);
        assertThat(metadata.getCurrentDetails())
                .startsWith("pro (past_due)")
                .contains("grace until " + carried.graceUntil());
        var attributes = currentRun().getTypedSearchAttributes();
        assertThat(attributes.get(FigureForgeSearchAttributes.SUBSCRIPTION_STATUS))
                .isEqualTo("past_due");
        assertThat(attributes.get(FigureForgeSearchAttributes.GRACE_UNTIL).toInstant())
                .isEqualTo(carried.graceUntil());
        assertThat(attributes.get(FigureForgeSearchAttributes.USER_ID)).isEqualTo(USER);
        assertThat(TimerSummaries.of(client.fetchHistory(WorkflowIds.subscription(USER), secondRun)))
                .as("the continued run's own wait")
                .containsExactly("Grace period ends: re-check the payment");
    }

    @Test
    void anEventNamingAnotherUserIsIgnored() {
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", now(), now().plus(30, ChronoUnit.DAYS)));

        send(event(CHECKOUT_SESSION_COMPLETED, CUSTOMER, "sub_1", "mallory"));
        SubscriptionState state = awaitHandled(USER);

        assertThat(state.plan()).isEqualTo("free");
        assertThat(state.customerId()).isNull();
        assertThat(billing.fetches).isEmpty();
        assertThat(billing.writes).isEmpty();
    }

    @Test
    void aStripeRejectionIsRetriedByAScheduledCheck() {
        Instant start = now();
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", start, start.plus(30, ChronoUnit.DAYS)));
        billing.fetchFailures.add(ApplicationFailure.newNonRetryableFailure(
                "Invalid API Key provided", FailureType.STRIPE_REJECTED.name()));

        send(checkout());
        SubscriptionState failed = awaitHandled(USER);

        assertThat(failed.plan()).isEqualTo("free");
        assertThat(failed.failures()).isEqualTo(1);
        assertThat(failed.nextCheckAt())
                .isAfter(now().plus(SubscriptionWorkflowImpl.RECHECK_AFTER_FAILURE)
                        .minusSeconds(5));

        env.sleep(SubscriptionWorkflowImpl.RECHECK_AFTER_FAILURE.plusMinutes(1));
        SubscriptionState retried = awaitState(USER, s -> s.plan().equals("pro"));

        assertThat(retried.nextCheckAt()).isNull();
        assertThat(billing.fetches).hasSize(2);
    }

    @Test
    void transientStripeFailuresAreRetriedWithinTheEvent() {
        Instant start = now();
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", start, start.plus(30, ChronoUnit.DAYS)));
        billing.fetchFailures.add(
                ApplicationFailure.newFailure("Stripe answered 500", FailureType.STRIPE_UNAVAILABLE.name()));

        send(checkout());
        SubscriptionState state = awaitHandled(USER);

        assertThat(state.plan()).isEqualTo("pro");
        assertThat(state.failures()).isZero();
        assertThat(billing.fetches).hasSize(2);
    }

    @Test
    void aDeletedUserDoesNotStopTheWorkflow() {
        billing.userExists = false;
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", now(), now().plus(30, ChronoUnit.DAYS)));

        send(checkout());
        SubscriptionState state = awaitHandled(USER);

        assertThat(state.plan()).isEqualTo("pro");
        assertThat(billing.writes).hasSize(1);
        assertThat(currentRun().getStatus().name()).endsWith("RUNNING");
    }

    @Test
    void anEventWithOnlyASubscriptionIdResolvesAndLinksItsCustomer() {
        billing.set(CUSTOMER, subscription("sub_1", "trialing", "hobby", now(), now().plus(14, ChronoUnit.DAYS)));

        send(USER, event(INVOICE_PAID, null, "sub_1", null));
        SubscriptionState state = awaitHandled(USER);

        assertThat(state.customerId()).isEqualTo(CUSTOMER);
        assertThat(state.plan()).isEqualTo("hobby");
        assertThat(billing.fetches.getFirst().subscriptionId()).isEqualTo("sub_1");
        assertThat(billing.users.get(USER).customerId()).isEqualTo(CUSTOMER);
    }

    // --- helpers ---

    private Instant now() {
        return Instant.ofEpochMilli(env.currentTimeMillis()).truncatedTo(ChronoUnit.SECONDS);
    }

    private StripeEventSignal checkout() {
        return event(CHECKOUT_SESSION_COMPLETED, CUSTOMER, "sub_1", USER);
    }

    private StripeEventSignal event(String type) {
        return event(type, CUSTOMER, "sub_1", null);
    }

    private StripeEventSignal event(String type, String customer, String subscriptionId, String userId) {
        return new StripeEventSignal(
                "evt_" + (++eventSequence), type, now().getEpochSecond(), customer, subscriptionId, userId);
    }

    private void send(StripeEventSignal event) {
        send(USER, event);
    }

    private WorkflowExecution send(String userId, StripeEventSignal event) {
        sent.merge(userId, 1, Integer::sum);
        return SubscriptionWorkflows.signalWithStart(client, SubscriptionInput.start(userId, null, settings), event);
    }

    private SubscriptionState state(String userId) {
        return SubscriptionWorkflows.existing(client, userId).state();
    }

    /** Waits until every event sent to the user was handled (or skipped as a repeat). */
    private SubscriptionState awaitHandled(String userId) {
        int expected = sent.getOrDefault(userId, 0);
        return awaitState(userId, s -> s.eventsApplied() + s.duplicatesIgnored() >= expected);
    }

    private SubscriptionState awaitState(String userId, Predicate<SubscriptionState> condition) {
        long deadline = System.currentTimeMillis() + 10_000;
        SubscriptionState last = null;
        while (System.currentTimeMillis() < deadline) {
            last = state(userId);
            if (condition.test(last)) {
                return last;
            }
            pause();
        }
        throw new AssertionError("the workflow did not reach the expected state; last: " + last);
    }

    /** Waits until the user's workflow continued as new from {@code runId}; returns the new run id. */
    private String awaitNewRun(String runId) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            String current = currentRun().getExecution().getRunId();
            if (!current.equals(runId)) {
                return current;
            }
            pause();
        }
        throw new AssertionError("the workflow did not continue as new from run " + runId);
    }

    private WorkflowExecutionDescription currentRun() {
        return client.newUntypedWorkflowStub(WorkflowIds.subscription(USER)).describe();
    }

    private String planAttribute() {
        return currentRun().getTypedSearchAttributes().get(FigureForgeSearchAttributes.PLAN);
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
