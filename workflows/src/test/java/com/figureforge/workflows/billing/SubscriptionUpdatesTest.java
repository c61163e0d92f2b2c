package com.figureforge.workflows.billing;

import static com.figureforge.workflows.billing.FakeBilling.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.billing.SubscriptionActivities.ApplyPlanInput;
import com.figureforge.workflows.billing.SubscriptionActivities.CancelDuplicateInput;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API's updates of the subscription workflow (sync after checkout, in-app plan change) and the
 * one-live-subscription rule, on the Temporal test environment with Stripe faked behind the activities.
 */
class SubscriptionUpdatesTest {

    private static final String USER = "bob";
    private static final String CUSTOMER = "cus_bob";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private FakeBilling billing;
    private final SubscriptionInput start = SubscriptionInput.start(USER, null, SubscriptionSettings.defaults());

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
    void syncAfterCheckoutStartsTheWorkflowAndAppliesThePlanBeforeAnyWebhook() {
        Instant now = now();
        Instant end = now.plus(30, ChronoUnit.DAYS);
        billing.set(CUSTOMER, subscription("sub_1", "active", "pro", now, end));

        SubscriptionState state = SubscriptionWorkflows.syncCheckout(
                client, start, new CheckoutSync("checkout:cs_1", CUSTOMER, "sub_1"), TIMEOUT);

        assertThat(state.plan()).isEqualTo("pro");
        assertThat(state.customerId()).isEqualTo(CUSTOMER);
        assertThat(billing.users.get(USER)).isEqualTo(new ApplyPlanInput(USER, "pro", "active", CUSTOMER, now, end));

        // The same session again answers the same state without another Stripe read; the webhook's
        // later checkout event re-reads Stripe and writes nothing new.
        int fetches = billing.fetches.size();
        SubscriptionState again = SubscriptionWorkflows.syncCheckout(
                client, start, new CheckoutSync("checkout:cs_1", CUSTOMER, "sub_1"), TIMEOUT);
        assertThat(again.plan()).isEqualTo("pro");
        assertThat(billing.fetches).hasSize(fetches);
        SubscriptionWorkflows.signalWithStart(
                client,
                start,
                new StripeEventSignal(
                        "evt_checkout",
                        StripeEventTypes.CHECKOUT_SESSION_COMPLETED,
                        now.getEpochSecond(),
                        CUSTOMER,
                        "sub_1",
                        USER));
        awaitState(s -> s.recentEventIds().contains("evt_checkout") && s.lastSyncedAt() != null);
        assertThat(billing.writesOf(USER)).hasSize(1);
    }

    @Test
    void upgradeAppliesAtOnceInTheSamePeriodAndDowngradeWaitsForThePeriodEnd() {
        Instant now = now();
        Instant end = now.plus(30, ChronoUnit.DAYS);
        billing.set(CUSTOMER, subscription("sub_1", "active", "hobby", now, end));
        SubscriptionWorkflows.syncCheckout(
                client, start, new CheckoutSync("checkout:cs_1", CUSTOMER, "sub_1"), TIMEOUT);

        PlanChangeResult upgrade = SubscriptionWorkflows.changePlan(
                client, start, new PlanChange("req-1", "studio", "price_studio", true), TIMEOUT);

        assertThat(upgrade.outcome()).isEqualTo(PlanChangeResult.CHANGED);
        assertThat(upgrade.state().plan()).isEqualTo("studio");
        assertThat(upgrade.state().periodStart()).as("the quota period is kept").isEqualTo(now);
        assertThat(billing.users.get(USER)).isEqualTo(new ApplyPlanInput(USER, "studio", "active", CUSTOMER, now, end));
        assertThat(billing.priceChanges.getLast().idempotencyKey()).isEqualTo("plan-change-req-1");

        PlanChangeResult downgrade = SubscriptionWorkflows.changePlan(
                client, start, new PlanChange("req-2", "pro", "price_pro", false), TIMEOUT);

        assertThat(downgrade.outcome()).isEqualTo(PlanChangeResult.SCHEDULED);
        assertThat(downgrade.effectiveAt()).isEqualTo(end);
        assertThat(downgrade.state().plan()).as("studio until the period ends").isEqualTo("studio");
        assertThat(billing.users.get(USER).plan()).isEqualTo("studio");

        PlanChangeResult same = SubscriptionWorkflows.changePlan(
                client, start, new PlanChange("req-3", "studio", "price_studio", true), TIMEOUT);
        assertThat(same.outcome()).isEqualTo(PlanChangeResult.UNCHANGED);
    }

    @Test
    void aPlanChangeWithoutASubscriptionChangesNothing() {
        PlanChangeResult result = SubscriptionWorkflows.changePlan(
                client, start, new PlanChange("req-1", "pro", "price_pro", true), TIMEOUT);

        assertThat(result.outcome()).isEqualTo(PlanChangeResult.NO_SUBSCRIPTION);
        assertThat(result.state().plan()).isEqualTo("free");
        assertThat(billing.priceChanges).isEmpty();
    }

    @Test
    void aSecondLiveSubscriptionIsCanceledAndTheHigherPlanKept() {
        Instant now = now();
        Instant end = now.plus(30, ChronoUnit.DAYS);
        billing.set(CUSTOMER, subscription("sub_studio", "active", "studio", now, end));
        billing.duplicates.put(CUSTOMER, List.of(subscription("sub_hobby", "active", "hobby", now, end)));

        SubscriptionWorkflows.signalWithStart(
                client,
                start,
                new StripeEventSignal(
                        "evt_created",
                        StripeEventTypes.SUBSCRIPTION_CREATED,
                        now.getEpochSecond(),
                        CUSTOMER,
                        "sub_hobby",
                        USER));
        SubscriptionState state = awaitState(s -> s.eventsApplied() == 1);

        assertThat(state.plan()).isEqualTo("studio");
        assertThat(state.duplicatesCanceled()).isEqualTo(1);
        assertThat(billing.duplicateCancels)
                .containsExactly(new CancelDuplicateInput(CUSTOMER, "sub_hobby", "sub_studio"));
        // Versioned: a history from before this change replays without the cancel.
        var history = client.fetchHistory(WorkflowIds.subscription(USER)).getEvents();
        assertThat(history)
                .filteredOn(e -> e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED
                        && e.getMarkerRecordedEventAttributes().toString().contains("heal-duplicate-subscriptions"))
                .hasSize(1);

        // Later events find one live subscription: nothing more is canceled.
        SubscriptionWorkflows.signalWithStart(
                client,
                start,
                new StripeEventSignal(
                        "evt_paid", StripeEventTypes.INVOICE_PAID, now.getEpochSecond(), CUSTOMER, "sub_studio", null));
        awaitState(s -> s.eventsApplied() == 2);
        assertThat(billing.duplicateCancels).hasSize(1);
    }

    private SubscriptionState awaitState(Predicate<SubscriptionState> condition) {
        long deadline = System.currentTimeMillis() + 10_000;
        SubscriptionState last = null;
        while (System.currentTimeMillis() < deadline) {
            last = SubscriptionWorkflows.existing(client, USER).state();
            if (condition.test(last)) {
                return last;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("the workflow did not reach the expected state; last: " + last);
    }

    private Instant now() {
        return Instant.ofEpochMilli(env.currentTimeMillis()).truncatedTo(ChronoUnit.SECONDS);
    }
}
