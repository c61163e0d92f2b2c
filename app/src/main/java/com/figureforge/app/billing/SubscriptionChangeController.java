package com.figureforge.app.billing;

import static com.figureforge.app.billing.BillingController.gateway;

import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.stripe.StripeCheckouts;
import com.figureforge.adapters.stripe.StripeGateway;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.users.CurrentUser;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.app.web.ProblemResponses;
import com.figureforge.app.web.RequestShapes;
import com.figureforge.workflows.billing.CheckoutSync;
import com.figureforge.workflows.billing.PlanChange;
import com.figureforge.workflows.billing.PlanChangeResult;
import com.figureforge.workflows.billing.SubscriptionInput;
import com.figureforge.workflows.billing.SubscriptionSettings;
import com.figureforge.workflows.billing.SubscriptionState;
import com.figureforge.workflows.billing.SubscriptionWorkflows;
import com.stripe.model.checkout.Session;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Plan changes in the app and the sync after checkout. Both go through the user's subscription workflow
 * with Update-With-Start, so they are applied in order with Stripe's webhooks and answer with the
 * applied result.
 */
@RestController
@Tag(name = "Subscriptions")
@SecurityRequirement(name = "bearer")
class SubscriptionChangeController {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionChangeController.class);

    /** How long a request waits for the workflow; after it the change still completes, the answer is a 503. */
    static final Duration UPDATE_TIMEOUT = Duration.ofSeconds(20);

    private final FigureForgeProperties.Billing billing;
    private final PaidPlans paidPlans;
    private final QuotaPolicy quota;
    private final StripeGateway stripe;
    private final StripeCheckouts checkouts;
    private final WorkflowClient temporal;
    private final SubscriptionSettings settings;

    SubscriptionChangeController(
            FigureForgeProperties properties,
            PaidPlans paidPlans,
            QuotaPolicy quota,
            StripeGateway stripe,
            StripeCheckouts checkouts,
            WorkflowClient temporal,
            SubscriptionSettings settings) {
        this.billing = properties.billing();
        this.paidPlans = paidPlans;
        this.quota = quota;
        this.stripe = stripe;
        this.checkouts = checkouts;
        this.temporal = temporal;
        this.settings = settings;
    }

    @PostMapping(path = "/api/subscriptions/change", consumes = "application/json")
    @Operation(
            summary = "Switch the live subscription to {plan}: an upgrade applies now (prorated charge, same quota"
                    + " period), a downgrade at the period end",
            description = "409 no_subscription without a live subscription (use checkout). Answers the outcome"
                    + " (changed, scheduled, unchanged), when it takes effect, and the plan that applies now.")
    @ProblemResponses({ErrorCode.BILLING_NOT_CONFIGURED, ErrorCode.NO_SUBSCRIPTION, ErrorCode.SERVICE_UNAVAILABLE})
    ChangeView change(CurrentUser caller, @RequestBody ChangeBody body) {
        requireBilling();
        String plan = paidPlans.require(body.plan());
        UserRecord user = caller.record();
        if (user.stripeCustomerId() == null || !BillingController.LIVE_STATUSES.contains(user.subscriptionStatus())) {
            throw noSubscription();
        }
        boolean upgrade = paidPlans.upgrade(quota.planId(user), plan);
        PlanChange change = new PlanChange(UUID.randomUUID().toString(), plan, paidPlans.priceOf(plan), upgrade);
        PlanChangeResult result = workflow(() -> SubscriptionWorkflows.changePlan(
                temporal,
                SubscriptionInput.start(user.id(), user.stripeCustomerId(), settings),
                change,
                UPDATE_TIMEOUT));
        return switch (result.outcome()) {
            case PlanChangeResult.NO_SUBSCRIPTION -> throw noSubscription();
            case PlanChangeResult.FAILED ->
                throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "Stripe refused the change; try again later.");
            default ->
                new ChangeView(
                        result.outcome(),
                        plan,
                        result.effectiveAt(),
                        result.state().plan(),
                        result.state().status());
        };
    }

    @PostMapping(path = "/api/subscriptions/sync", consumes = "application/json")
    @Operation(
            summary = "Apply the subscription of a completed Checkout Session now ({session_id} from the success URL),"
                    + " before Stripe's webhooks arrive",
            description = "Another user's session, or one Stripe does not know: 404 checkout_session_not_found. A"
                    + " session not paid yet: 409 checkout_not_complete. Repeating it is harmless.")
    @ProblemResponses({
        ErrorCode.BILLING_NOT_CONFIGURED,
        ErrorCode.CHECKOUT_SESSION_NOT_FOUND,
        ErrorCode.CHECKOUT_NOT_COMPLETE,
        ErrorCode.SERVICE_UNAVAILABLE
    })
    SyncView sync(CurrentUser caller, @RequestBody SyncBody body) {
        requireBilling();
        if (body.sessionId() == null || body.sessionId().isBlank()) {
            throw PaidPlans.invalid("session_id", "is required");
        }
        String sessionId = RequestShapes.checkoutSessionId(body.sessionId().strip());
        Session session = gateway(() -> checkouts.retrieve(sessionId))
                .filter(s -> "subscription".equals(s.getMode()))
                .filter(s -> ownedBy(s, caller.id()))
                .orElseThrow(() -> new ApiException(
                        ErrorCode.CHECKOUT_SESSION_NOT_FOUND, "No checkout session " + body.sessionId() + "."));
        if (!"complete".equals(session.getStatus()) || session.getSubscription() == null) {
            throw new ApiException(ErrorCode.CHECKOUT_NOT_COMPLETE, "This checkout has not been paid (yet).");
        }
        CheckoutSync request =
                new CheckoutSync("checkout:" + session.getId(), session.getCustomer(), session.getSubscription());
        SubscriptionState state = workflow(() -> SubscriptionWorkflows.syncCheckout(
                temporal,
                SubscriptionInput.start(caller.id(), caller.record().stripeCustomerId(), settings),
                request,
                UPDATE_TIMEOUT));
        return new SyncView(state.plan(), state.status(), state.periodStart(), state.periodEnd());
    }

    /** The session names the user, and so does its customer at Stripe: never another user's checkout. */
    private boolean ownedBy(Session session, String userId) {
        String named = session.getClientReferenceId() != null
                ? session.getClientReferenceId()
                : session.getMetadata() == null ? null : session.getMetadata().get(StripeGateway.USER_ID_METADATA);
        if (!userId.equals(named) || session.getCustomer() == null) {
            return false;
        }
        return gateway(() -> stripe.userIdOfCustomer(session.getCustomer()))
                .map(userId::equals)
                .orElse(false);
    }

    private void requireBilling() {
        if (!billing.stripeConfigured()) {
            throw new ApiException(ErrorCode.BILLING_NOT_CONFIGURED, "Billing is not configured on this server.");
        }
    }

    private static ApiException noSubscription() {
        return new ApiException(
                ErrorCode.NO_SUBSCRIPTION, "You have no live subscription to change; subscribe with checkout first.");
    }

    private static <T> T workflow(Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("Subscription workflow update did not answer: {}", e.toString());
            throw new ApiException(
                    ErrorCode.SERVICE_UNAVAILABLE, "Your subscription is still being updated; check again shortly.");
        }
    }

    record ChangeBody(String plan) {}

    /**
     * @param outcome {@code changed}, {@code scheduled} or {@code unchanged}
     * @param requestedPlan the plan asked for
     * @param effectiveAt when it applies (now, or the period end)
     * @param plan the plan that applies now
     */
    record ChangeView(
            String outcome, String requestedPlan, Instant effectiveAt, String plan, String subscriptionStatus) {}

    record SyncBody(String sessionId) {}

    record SyncView(String plan, String subscriptionStatus, Instant periodStart, Instant periodEnd) {}
}
