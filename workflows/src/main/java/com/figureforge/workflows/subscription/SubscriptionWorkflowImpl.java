package com.figureforge.workflows.subscription;

import com.figureforge.workflows.FailureChain;
import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.RetryPolicies;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.subscription.SubscriptionActivities.ApplyPlanInput;
import com.figureforge.workflows.subscription.SubscriptionActivities.ApplyPlanOutput;
import com.figureforge.workflows.subscription.SubscriptionActivities.FetchSubscriptionInput;
import com.figureforge.workflows.subscription.SubscriptionActivities.FetchSubscriptionOutput;
import com.figureforge.workflows.subscription.SubscriptionRules.Decision;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.SequencedSet;
import org.slf4j.Logger;

/**
 * Keeps one user's plan in step with Stripe. The loop: wait for an event or the next scheduled check;
 * take one event off the queue (signals only ever append to it); skip it if its id was seen; otherwise
 * fetch the customer's current subscription, decide with {@link SubscriptionRules}, and write plan,
 * status and period when they changed. Continue as new after {@link SubscriptionSettings#maxEventsPerRun}
 * steps or when Temporal suggests it, carrying the state and the queue.
 *
 * <p>Customer: the workflow follows one Stripe customer, the first it learns (start input or first
 * event). A completed checkout of another customer (with this user's id) switches it; other events of
 * another customer only trigger a re-sync of the followed one, so a stale customer cannot downgrade the
 * user.
 */
public class SubscriptionWorkflowImpl implements SubscriptionWorkflow {

    private static final Logger log = Workflow.getLogger(SubscriptionWorkflowImpl.class);

    /** After a Stripe call failed for good (bad key, bad request), try again this much later. */
    static final Duration RECHECK_AFTER_FAILURE = Duration.ofHours(1);

    /** Stripe calls retry until Stripe answers: an outage delays the queue, it does not drop events. */
    private static final RetryOptions STRIPE_RETRY = RetryPolicies.backingOffTo(Duration.ofMinutes(5));

    private static final RetryOptions STORAGE_RETRY = RetryPolicies.STORAGE;

    private final String userId;
    private final SubscriptionSettings settings;
    private final Deque<StripeEventSignal> queue = new ArrayDeque<>();
    private final SequencedSet<String> recentEventIds = new LinkedHashSet<>();
    private int stepsThisRun;

    private String plan;
    private String status;
    private String customerId;
    private String subscriptionId;
    private String priceId;
    private Instant periodStart;
    private Instant periodEnd;
    private boolean cancelAtPeriodEnd;
    private Instant cancelAt;
    private Instant pastDueSince;
    private Instant graceUntil;
    private Instant nextCheckAt;
    private String lastEventId;
    private String lastEventType;
    private Instant lastSyncedAt;
    private Instant lastAppliedAt;
    private long eventsApplied;
    private long duplicatesIgnored;
    private long failures;

    /** Runs before any signal is delivered, so carried events stay ahead of new ones. */
    @WorkflowInit
    public SubscriptionWorkflowImpl(SubscriptionInput input) {
        userId = input.userId();
        settings = input.settings();
        SubscriptionState state =
                input.state() != null ? input.state() : SubscriptionState.initial(input.userId(), input.customerId());
        plan = state.plan();
        status = state.status();
        customerId = state.customerId();
        subscriptionId = state.subscriptionId();
        priceId = state.priceId();
        periodStart = state.periodStart();
        periodEnd = state.periodEnd();
        cancelAtPeriodEnd = state.cancelAtPeriodEnd();
        cancelAt = state.cancelAt();
        pastDueSince = state.pastDueSince();
        graceUntil = state.graceUntil();
        nextCheckAt = state.nextCheckAt();
        lastEventId = state.lastEventId();
        lastEventType = state.lastEventType();
        lastSyncedAt = state.lastSyncedAt();
        lastAppliedAt = state.lastAppliedAt();
        eventsApplied = state.eventsApplied();
        duplicatesIgnored = state.duplicatesIgnored();
        failures = state.failures();
        recentEventIds.addAll(state.recentEventIds());
        queue.addAll(input.pending());
    }

    @Override
    public void run(SubscriptionInput input) {
        upsertSearchAttributes();
        details(lastAppliedAt == null ? "Waiting for Stripe events" : summary());
        while (true) {
            if (queue.isEmpty()) {
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
    public SubscriptionState state() {
        return new SubscriptionState(
                userId,
                plan,
                status,
                customerId,
                subscriptionId,
                priceId,
                periodStart,
                periodEnd,
                cancelAtPeriodEnd,
                cancelAt,
                pastDueSince,
                graceUntil,
                nextCheckAt,
                lastEventId,
                lastEventType,
                lastSyncedAt,
                lastAppliedAt,
                eventsApplied,
                duplicatesIgnored,
                failures,
                new ArrayList<>(recentEventIds));
    }

    /** @return true when an event is queued, false when the scheduled check is due */
    private boolean waitForEventOrCheck() {
        if (nextCheckAt == null) {
            Workflow.await(() -> !queue.isEmpty());
            return true;
        }
        Duration wait = Duration.between(now(), nextCheckAt);
        if (!wait.isPositive()) {
            return false;
        }
        return Workflow.await(wait, () -> !queue.isEmpty());
    }

    private void handle(StripeEventSignal event) {
        if (recentEventIds.contains(event.eventId())) {
            duplicatesIgnored++;
            log.info("Stripe event {} ({}) was handled before: ignored", event.eventId(), event.type());
            return;
        }
        remember(event.eventId());
        lastEventId = event.eventId();
        lastEventType = event.type();
        try {
            applyEvent(event);
        } finally {
            eventsApplied++;
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
        followCustomer(event);
        if (customerId == null && event.subscriptionId() == null) {
            log.warn(
                    "Stripe event {} ({}) has neither customer nor subscription: ignored",
                    event.eventId(),
                    event.type());
            return;
        }
        sync(event.subscriptionId(), event.type() + " " + event.eventId());
    }

    private void followCustomer(StripeEventSignal event) {
        String eventCustomer = event.customerId();
        if (eventCustomer == null || eventCustomer.equals(customerId)) {
            return;
        }
        if (customerId == null) {
            customerId = eventCustomer;
            lastAppliedAt = null; // link the customer on the next write
        } else if (StripeEventTypes.CHECKOUT_SESSION_COMPLETED.equals(event.type()) && userId.equals(event.userId())) {
            log.warn(
                    "User {} completed a checkout as customer {}, now following it instead of {}",
                    userId,
                    eventCustomer,
                    customerId);
            customerId = eventCustomer;
            lastAppliedAt = null;
        } else {
            log.warn(
                    "Stripe event {} is about customer {}, not the followed {}: re-syncing the followed one",
                    event.eventId(),
                    eventCustomer,
                    customerId);
        }
    }

    private void scheduledCheck() {
        nextCheckAt = null;
        if (customerId == null && subscriptionId == null) {
            return;
        }
        sync(subscriptionId, "scheduled check");
    }

    private void sync(String subscriptionHint, String trigger) {
        FetchSubscriptionOutput fetched;
        try {
            fetched = stripe("Fetch subscription (" + trigger + ")")
                    .fetchSubscription(
                            new FetchSubscriptionInput(customerId, customerId == null ? subscriptionHint : null));
        } catch (ActivityFailure failure) {
            failed("fetching the subscription", trigger, failure);
            return;
        }
        lastSyncedAt = now();
        StripeSubscription current = fetched.subscription();
        if (current != null && current.plan() == null) {
            log.warn(
                    "User {}: subscription {} has price {}, which no plan is configured with: counts as free",
                    userId,
                    current.id(),
                    current.priceId());
        }
        if (customerId == null && fetched.customerId() != null) {
            customerId = fetched.customerId();
            lastAppliedAt = null;
        }
        Decision decision = SubscriptionRules.decide(state(), current, now(), settings.gracePeriod());
        apply(decision, trigger);
    }

    private void apply(Decision decision, String trigger) {
        boolean write = lastAppliedAt == null
                || !decision.plan().equals(plan)
                || !decision.status().equals(status)
                || !Objects.equals(decision.periodStart(), periodStart)
                || !Objects.equals(decision.periodEnd(), periodEnd);
        if (write) {
            ApplyPlanOutput output;
            try {
                output = storage("Apply " + decision.plan() + " (" + decision.status() + ")")
                        .applyPlan(new ApplyPlanInput(
                                userId,
                                decision.plan(),
                                decision.status(),
                                customerId,
                                decision.periodStart(),
                                decision.periodEnd()));
            } catch (ActivityFailure failure) {
                failed("writing the plan", trigger, failure);
                return;
            }
            if (!output.userFound()) {
                log.warn("User {} does not exist (deleted?): plan {} not written", userId, decision.plan());
            }
            lastAppliedAt = now();
        }
        String previousPlan = plan;
        plan = decision.plan();
        status = decision.status();
        subscriptionId = decision.subscriptionId();
        priceId = decision.priceId();
        periodStart = decision.periodStart();
        periodEnd = decision.periodEnd();
        cancelAtPeriodEnd = decision.cancelAtPeriodEnd();
        cancelAt = decision.cancelAt();
        pastDueSince = decision.pastDueSince();
        graceUntil = decision.graceUntil();
        nextCheckAt = decision.nextCheckAt();
        if (!plan.equals(previousPlan)) {
            log.info("User {}: plan {} -> {} ({}; after {})", userId, previousPlan, plan, decision.reason(), trigger);
        }
        upsertSearchAttributes();
        details(summary() + " · " + decision.reason() + " · after " + trigger);
    }

    private void failed(String what, String trigger, ActivityFailure failure) {
        failures++;
        Instant retryAt = now().plus(RECHECK_AFTER_FAILURE);
        nextCheckAt = SubscriptionRules.earliest(nextCheckAt, retryAt);
        String message = FailureChain.rootMessage(failure);
        log.error("User {}: {} failed after {}: {}; re-checking at {}", userId, what, trigger, message, nextCheckAt);
        details(summary() + " · " + what + " failed (" + message + "), re-check at " + nextCheckAt);
    }

    private void remember(String eventId) {
        recentEventIds.add(eventId);
        while (recentEventIds.size() > settings.recentEventIdsKept()) {
            recentEventIds.removeFirst();
        }
    }

    private boolean continueAsNewDue() {
        return stepsThisRun >= settings.maxEventsPerRun() || Workflow.getInfo().isContinueAsNewSuggested();
    }

    private void continueAsNew() {
        log.info("User {}: continuing as new after {} steps, {} event(s) queued", userId, stepsThisRun, queue.size());
        Workflow.continueAsNew(new SubscriptionInput(userId, customerId, settings, state(), new ArrayList<>(queue)));
    }

    private void upsertSearchAttributes() {
        var current = Workflow.getTypedSearchAttributes();
        if (!plan.equals(current.get(FigureForgeSearchAttributes.PLAN))) {
            Workflow.upsertTypedSearchAttributes(FigureForgeSearchAttributes.PLAN.valueSet(plan));
        }
        if (!userId.equals(current.get(FigureForgeSearchAttributes.USER_ID))) {
            Workflow.upsertTypedSearchAttributes(FigureForgeSearchAttributes.USER_ID.valueSet(userId));
        }
    }

    private String summary() {
        StringBuilder text = new StringBuilder(plan).append(" (").append(status).append(")");
        if (periodStart != null && periodEnd != null) {
            text.append(" · period ").append(day(periodStart)).append(" to ").append(day(periodEnd));
        }
        if (cancelAt != null) {
            text.append(" · ends ").append(cancelAt);
        }
        if (graceUntil != null) {
            text.append(" · grace until ").append(graceUntil);
        }
        return text.toString();
    }

    private static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    private static void details(String text) {
        Workflow.setCurrentDetails(text);
    }

    private static Instant now() {
        return Instant.ofEpochMilli(Workflow.currentTimeMillis());
    }

    private static SubscriptionActivities stripe(String summary) {
        return Workflow.newActivityStub(
                SubscriptionActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.STORAGE)
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setRetryOptions(STRIPE_RETRY)
                        .setSummary(summary)
                        .build());
    }

    private static SubscriptionActivities storage(String summary) {
        return Workflow.newActivityStub(
                SubscriptionActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.STORAGE)
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setRetryOptions(STORAGE_RETRY)
                        .setSummary(summary)
                        .build());
    }
}
