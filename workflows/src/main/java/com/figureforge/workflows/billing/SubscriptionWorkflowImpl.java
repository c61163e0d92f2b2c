package com.figureforge.workflows.billing;

import com.figureforge.workflows.FailureChain;
import com.figureforge.workflows.SummarizedTimers;
import com.figureforge.workflows.billing.SubscriptionActivities.ApplyPlanInput;
import com.figureforge.workflows.billing.SubscriptionActivities.ApplyPlanOutput;
import com.figureforge.workflows.billing.SubscriptionActivities.ChangePriceInput;
import com.figureforge.workflows.billing.SubscriptionActivities.ChangePriceOutput;
import com.figureforge.workflows.billing.SubscriptionActivities.FetchSubscriptionInput;
import com.figureforge.workflows.billing.SubscriptionActivities.FetchSubscriptionOutput;
import com.figureforge.workflows.billing.SubscriptionRules.Decision;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Keeps one user's plan in step with Stripe. The loop: wait for an event or the next scheduled check;
 * take one event off the queue (signals only ever append to it); skip it if its id was seen; otherwise
 * fetch the customer's current subscription, decide with {@link SubscriptionRules}, and write plan,
 * status and period when they changed. Continue as new after {@link SubscriptionSettings#maxEventsPerRun}
 * steps or when Temporal suggests it, carrying the state and the queue.
 *
 * <p>Updates (the API): a checkout sync is queued like an event; a plan change goes ahead of queued events.
 * Both answer once done. The customer followed: {@link FollowedCustomer}.
 */
public class SubscriptionWorkflowImpl implements SubscriptionWorkflow {

    private static final Logger log = Workflow.getLogger(SubscriptionWorkflowImpl.class);

    /** After a Stripe call failed for good (bad key, bad request), try again this much later. */
    static final Duration RECHECK_AFTER_FAILURE = Duration.ofHours(1);

    private final String userId;
    private final SubscriptionSettings settings;
    private final Deque<StripeEventSignal> queue = new ArrayDeque<>();
    /** In-app plan changes, handled before queued events; never carried over (no run ends with one). */
    private final Deque<PlanChange> changes = new ArrayDeque<>();

    private final Map<String, PlanChangeResult> changeResults = new HashMap<>();
    private String handlingEventId;
    private int updatesInFlight;
    private int stepsThisRun;

    /** Everything the query answers and continue-as-new carries; each step replaces it with the next one. */
    private SubscriptionState state;

    /** Runs before any signal is delivered, so carried events stay ahead of new ones. */
    @WorkflowInit
    public SubscriptionWorkflowImpl(SubscriptionInput input) {
        userId = input.userId();
        settings = input.settings();
        state = input.startingState();
        queue.addAll(input.pending());
    }

    @Override
    public void run(SubscriptionInput input) {
        SubscriptionOperatorView.attributes(state);
        if (state.lastAppliedAt() == null) {
            Workflow.setCurrentDetails("Waiting for Stripe events");
        } else {
            SubscriptionOperatorView.details(state, null);
        }
        while (true) {
            if (!changes.isEmpty()) {
                handleChange(changes.removeFirst());
            } else if (queue.isEmpty()) {
                if (continueAsNewDue()) {
                    continueAsNew();
                }
                if (waitForEventOrCheck()) {
                    continue;
                }
                scheduledCheck();
            } else {
                handle(queue.removeFirst());
            }
            stepsThisRun++;
            if (continueAsNewDue()) {
                continueAsNew();
            }
        }
    }

    @Override
    public void stripeEvent(StripeEventSignal event) {
        queue.addLast(event);
    }

    @Override
    public SubscriptionState syncCheckout(CheckoutSync request) {
        String id = request.requestId();
        if (!state.seen(id) && queue.stream().noneMatch(e -> e.eventId().equals(id))) {
            queue.addLast(new StripeEventSignal(
                    id,
                    StripeEventTypes.CHECKOUT_SYNC,
                    now().getEpochSecond(),
                    request.customerId(),
                    request.subscriptionId(),
                    userId));
        }
        awaitInUpdate(() -> state.seen(id) && !id.equals(handlingEventId));
        return state;
    }

    @Override
    public PlanChangeResult changePlan(PlanChange request) {
        if (!changeResults.containsKey(request.requestId())) {
            changes.addLast(request);
            awaitInUpdate(() -> changeResults.containsKey(request.requestId()));
        }
        return changeResults.get(request.requestId());
    }

    /** Continue-as-new waits while an update waits, so no caller loses its answer. */
    private void awaitInUpdate(Supplier<Boolean> done) {
        updatesInFlight++;
        try {
            Workflow.await(done);
        } finally {
            updatesInFlight--;
        }
    }

    @Override
    public SubscriptionState state() {
        return state;
    }

    /** @return true when an event is queued, false when the scheduled check is due */
    private boolean waitForEventOrCheck() {
        if (state.nextCheckAt() == null) {
            Workflow.await(() -> !queue.isEmpty() || !changes.isEmpty());
            return true;
        }
        Duration wait = Duration.between(now(), state.nextCheckAt());
        if (!wait.isPositive()) {
            return false;
        }
        return SummarizedTimers.await(
                wait, SubscriptionOperatorView.nextCheck(state), () -> !queue.isEmpty() || !changes.isEmpty());
    }

    private void handle(StripeEventSignal event) {
        if (state.seen(event.eventId())) {
            state = state.duplicateIgnored();
            log.info("Stripe event {} ({}) was handled before: ignored", event.eventId(), event.type());
            return;
        }
        state = state.handling(event, settings.recentEventIdsKept());
        handlingEventId = event.eventId();
        try {
            applyEvent(event);
        } finally {
            state = state.handled();
            handlingEventId = null;
        }
    }

    private void applyEvent(StripeEventSignal event) {
        if (event.userId() != null && !event.userId().equals(userId)) {
            log.warn(
                    "Stripe event {} ({}) names user {}, not {}: ignored",
                    event.eventId(),
                    event.type(),
                    event.userId(),
                    userId);
            return;
        }
        state = state.following(FollowedCustomer.after(userId, state.customerId(), event));
        if (state.customerId() == null && event.subscriptionId() == null) {
            log.warn(
                    "Stripe event {} ({}) has neither customer nor subscription: ignored",
                    event.eventId(),
                    event.type());
            return;
        }
        sync(event.subscriptionId(), event.type() + " " + event.eventId());
    }

    private void scheduledCheck() {
        state = state.checking();
        if (state.customerId() == null && state.subscriptionId() == null) {
            return;
        }
        sync(state.subscriptionId(), "scheduled check");
    }

    private void sync(String subscriptionHint, String trigger) {
        FetchSubscriptionOutput fetched;
        String customerId = state.customerId();
        try {
            fetched = SubscriptionActivityStubs.stripe("Fetch subscription (" + trigger + ")")
                    .fetchSubscription(
                            new FetchSubscriptionInput(customerId, customerId == null ? subscriptionHint : null));
        } catch (ActivityFailure failure) {
            failed("fetching the subscription", trigger, failure);
            return;
        }
        state = state.synced(now());
        StripeSubscription current = fetched.subscription();
        if (current != null && current.plan() == null) {
            log.warn("User {}: price {} of {} is no configured plan: free", userId, current.priceId(), current.id());
        }
        if (state.customerId() == null && fetched.customerId() != null) {
            state = state.following(fetched.customerId());
        }
        int left = 0;
        if (current != null && !fetched.duplicates().isEmpty()) {
            int canceled =
                    DuplicateSubscriptions.cancel(userId, state.customerId(), current, fetched.duplicates(), trigger);
            state = state.duplicatesCanceled(canceled);
            left = fetched.duplicates().size() - canceled;
        }
        apply(SubscriptionRules.decide(state, current, now(), settings.gracePeriod()), trigger);
        if (left > 0) { // a cancel failed for good: try again later
            state = state.failed(now().plus(RECHECK_AFTER_FAILURE));
        }
    }

    private void apply(Decision decision, String trigger) {
        if (state.lastAppliedAt() == null || decision.differsFrom(state)) {
            ApplyPlanOutput output;
            try {
                output = SubscriptionActivityStubs.storage("Apply " + decision.plan() + " (" + decision.status() + ")")
                        .applyPlan(new ApplyPlanInput(
                                userId,
                                decision.plan(),
                                decision.status(),
                                state.customerId(),
                                decision.periodStart(),
                                decision.periodEnd()));
            } catch (ActivityFailure failure) {
                failed("writing the plan", trigger, failure);
                return;
            }
            if (!output.userFound()) {
                log.warn("User {} does not exist (deleted?): plan {} not written", userId, decision.plan());
            }
            state = state.written(now());
        }
        String previousPlan = state.plan();
        state = state.decided(decision);
        if (!state.plan().equals(previousPlan)) {
            log.info(
                    "User {}: plan {} -> {} ({}; after {})",
                    userId,
                    previousPlan,
                    state.plan(),
                    decision.reason(),
                    trigger);
        }
        SubscriptionOperatorView.show(state, decision.reason() + " · after " + trigger);
    }

    /** Swaps the price at Stripe, then applies Stripe's state at once (an upgrade shows now). */
    private void handleChange(PlanChange change) {
        String trigger = "plan change to " + change.plan() + " (" + change.requestId() + ")";
        PlanChangeResult result;
        if (state.customerId() == null) {
            result = new PlanChangeResult(PlanChangeResult.NO_SUBSCRIPTION, change.plan(), null, state);
        } else {
            try {
                ChangePriceOutput output = SubscriptionActivityStubs.stripe("Change plan to " + change.plan())
                        .changePrice(new ChangePriceInput(
                                state.customerId(),
                                change.priceId(),
                                change.upgrade(),
                                "plan-change-" + change.requestId()));
                if (output.subscriptionId() != null) {
                    sync(output.subscriptionId(), trigger);
                }
                result = new PlanChangeResult(output.outcome(), change.plan(), output.effectiveAt(), state);
            } catch (ActivityFailure failure) {
                failed("changing the plan", trigger, failure);
                result = new PlanChangeResult(PlanChangeResult.FAILED, change.plan(), null, state);
            }
        }
        changeResults.put(change.requestId(), result);
        log.info("User {}: {} -> {}", userId, trigger, result.outcome());
    }

    private void failed(String what, String trigger, ActivityFailure failure) {
        state = state.failed(now().plus(RECHECK_AFTER_FAILURE));
        Instant recheckAt = state.nextCheckAt();
        String message = FailureChain.rootMessage(failure);
        log.error("User {}: {} failed after {}: {}; re-checking at {}", userId, what, trigger, message, recheckAt);
        SubscriptionOperatorView.details(state, what + " failed (" + message + "), re-check at " + recheckAt);
    }

    private boolean continueAsNewDue() {
        return (stepsThisRun >= settings.maxEventsPerRun() || Workflow.getInfo().isContinueAsNewSuggested())
                && updatesInFlight == 0;
    }

    private void continueAsNew() {
        log.info("User {}: continuing as new after {} steps, {} event(s) queued", userId, stepsThisRun, queue.size());
        Workflow.continueAsNew(
                new SubscriptionInput(userId, state.customerId(), settings, state, new ArrayList<>(queue)));
    }

    private static Instant now() {
        return Instant.ofEpochMilli(Workflow.currentTimeMillis());
    }
}
