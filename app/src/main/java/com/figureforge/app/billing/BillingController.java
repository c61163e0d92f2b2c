package com.figureforge.app.billing;

import com.figureforge.activities.billing.StripeGateway;
import com.figureforge.activities.billing.StripePlanPrices;
import com.figureforge.activities.data.UserRecord;
import com.figureforge.activities.data.UserRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.plans.PlanCatalog;
import com.figureforge.app.plans.QuotaPolicy;
import com.figureforge.app.users.CurrentUser;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ApiException.FieldError;
import com.figureforge.app.web.ErrorCode;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Checkout and the billing portal. Every Stripe write carries an idempotency key: the customer's is
 * derived from the user (one customer, ever), a session's is fresh per request (it makes the SDK's
 * network retries safe; a new request is a new session). The plan changes when Stripe's webhook says so (through the
 * subscription workflow), never here: a checkout that is abandoned changes nothing.
 */
@RestController
@Tag(name = "Subscriptions")
@SecurityRequirement(name = "bearer")
class BillingController {

    private final FigureForgeProperties.Billing billing;
    private final PlanCatalog plans;
    private final QuotaPolicy quota;
    private final StripePlanPrices prices;
    private final StripeGateway stripe;
    private final UserRepository users;

    BillingController(
            FigureForgeProperties properties,
            PlanCatalog plans,
            QuotaPolicy quota,
            StripePlanPrices prices,
            StripeGateway stripe,
            UserRepository users) {
        this.billing = properties.billing();
        this.plans = plans;
        this.quota = quota;
        this.prices = prices;
        this.stripe = stripe;
        this.users = users;
    }

    @PostMapping(path = "/api/subscriptions/checkout", consumes = "application/json")
    @Operation(summary = "A Stripe Checkout Session (subscription mode) for a paid plan: {checkout_url, session_id}")
    CheckoutView checkout(CurrentUser caller, @RequestBody CheckoutBody body) {
        requireBilling();
        if (body.plan() == null || body.plan().isBlank()) {
            throw invalid("plan", "is required");
        }
        String plan = body.plan().toLowerCase(Locale.ROOT);
        if (!plans.all().containsKey(plan) || PlanCatalog.FREE.equals(plan)) {
            throw invalid("plan", "must be one of the paid plans " + paidPlans());
        }
        String priceId = prices.priceOf(plan)
                .orElseThrow(() -> new ApiException(
                        ErrorCode.BILLING_NOT_CONFIGURED, "The " + plan + " plan has no Stripe price configured."));
        UserRecord user = caller.record();
        if (plan.equals(quota.planId(user)) && !"canceled".equals(user.subscriptionStatus())) {
            throw new ApiException(ErrorCode.ALREADY_ON_PLAN, "You are already on the " + plan + " plan.");
        }
        String successUrl = redirect("success_url", body.successUrl(), billing.successUrl());
        String cancelUrl = redirect("cancel_url", body.cancelUrl(), billing.cancelUrl());
        String customerId = customerOf(user);
        var session = gateway(() -> stripe.createCheckoutSession(new StripeGateway.CheckoutRequest(
                caller.id(), customerId, priceId, successUrl, cancelUrl, "checkout-" + UUID.randomUUID())));
        return new CheckoutView(session.url(), session.id());
    }

    @PostMapping(path = "/api/subscriptions/portal")
    @Operation(summary = "A Stripe Billing Portal session for a user who has a Stripe customer: {portal_url}")
    PortalView portal(CurrentUser caller, @RequestBody(required = false) PortalBody body) {
        requireBilling();
        String customerId = caller.record().stripeCustomerId();
        if (customerId == null || customerId.isBlank()) {
            throw new ApiException(
                    ErrorCode.NO_BILLING_ACCOUNT, "You have no billing account yet; subscribe to a plan first.");
        }
        String returnUrl = redirect("return_url", body == null ? null : body.returnUrl(), billing.portalReturnUrl());
        return new PortalView(
                gateway(() -> stripe.createPortalSession(customerId, returnUrl, "portal-" + UUID.randomUUID())));
    }

    /** The user's Stripe customer, created once and remembered. */
    private String customerOf(UserRecord user) {
        String customerId = gateway(() -> stripe.ensureCustomer(user.id(), user.email(), user.stripeCustomerId()));
        if (!customerId.equals(user.stripeCustomerId())) {
            users.linkStripeCustomer(user.id(), customerId);
        }
        return customerId;
    }

    private void requireBilling() {
        if (!billing.stripeConfigured()) {
            throw new ApiException(ErrorCode.BILLING_NOT_CONFIGURED, "Billing is not configured on this server.");
        }
    }

    /** A URL the request names must be on an allowed origin, so checkout cannot become an open redirect. */
    private String redirect(String field, String requested, String fallback) {
        if (requested == null || requested.isBlank()) {
            return fallback;
        }
        try {
            URI uri = URI.create(requested);
            String origin = uri.getScheme() + "://" + uri.getAuthority();
            if (uri.getScheme() != null
                    && uri.getAuthority() != null
                    && billing.allowedRedirectOrigins().contains(origin)) {
                return requested;
            }
        } catch (IllegalArgumentException malformed) {
            // reported below
        }
        throw invalid(field, "must be a URL on one of " + billing.allowedRedirectOrigins());
    }

    private List<String> paidPlans() {
        return plans.all().keySet().stream()
                .filter(id -> !PlanCatalog.FREE.equals(id))
                .filter(id -> prices.priceOf(id).isPresent())
                .toList();
    }

    private static ApiException invalid(String field, String message) {
        return new ApiException(
                ErrorCode.VALIDATION_FAILED, field + " " + message, List.of(new FieldError(field, message)));
    }

    private static <T> T gateway(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "Stripe could not be reached; try again shortly.");
        }
    }

    record CheckoutBody(String plan, String successUrl, String cancelUrl) {}

    record CheckoutView(String checkoutUrl, String sessionId) {}

    record PortalBody(String returnUrl) {}

    record PortalView(String portalUrl) {}
}
