package com.figureforge.app.billing;

import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.stripe.StripeCheckouts;
import com.figureforge.adapters.stripe.StripeGateway;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.users.CurrentUser;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.app.web.ProblemResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Checkout and the billing portal. Every Stripe write carries an idempotency key: the customer's is
 * derived from the user (one customer, ever), a session's is fresh per request (it makes the SDK's
 * network retries safe; a new request is a new session). The plan changes through the subscription workflow
 * (Stripe's webhooks, or {@link SubscriptionChangeController}), never here: an abandoned checkout changes
 * nothing.
 */
@RestController
@Tag(name = "Subscriptions")
@SecurityRequirement(name = "bearer")
class BillingController {

    /** Subscription statuses that count as live: a user with one changes plan in-app, not by checkout. */
    static final Set<String> LIVE_STATUSES = Set.of("active", "trialing", "past_due");

    /** Stripe replaces this in a success URL with the Checkout Session id. */
    private static final String SESSION_ID_TEMPLATE = "{CHECKOUT_SESSION_ID}";

    private final FigureForgeProperties.Billing billing;
    private final PaidPlans paidPlans;
    private final StripeGateway stripe;
    private final StripeCheckouts checkouts;
    private final UserRepository users;

    BillingController(
            FigureForgeProperties properties,
            PaidPlans paidPlans,
            StripeGateway stripe,
            StripeCheckouts checkouts,
            UserRepository users) {
        this.billing = properties.billing();
        this.paidPlans = paidPlans;
        this.stripe = stripe;
        this.checkouts = checkouts;
        this.users = users;
    }

    @PostMapping(path = "/api/subscriptions/checkout", consumes = "application/json")
    @Operation(
            summary = "A Stripe Checkout Session (subscription mode) for a paid plan: {checkout_url, session_id}",
            description = "Only for users without a live subscription: others get 409 already_subscribed with a"
                    + " portal_url (and change plans with POST /api/subscriptions/change/). Expires the user's"
                    + " earlier open Checkout Sessions. A success_url may place Stripe's {CHECKOUT_SESSION_ID}"
                    + " where it wants the session id; without it, session_id={CHECKOUT_SESSION_ID} is appended.")
    @ProblemResponses({ErrorCode.BILLING_NOT_CONFIGURED, ErrorCode.ALREADY_SUBSCRIBED, ErrorCode.SERVICE_UNAVAILABLE})
    CheckoutView checkout(CurrentUser caller, @RequestBody CheckoutBody body) {
        requireBilling();
        String plan = paidPlans.require(body.plan());
        String priceId = paidPlans.priceOf(plan);
        String successUrl = withSessionId(redirect("success_url", body.successUrl(), billing.successUrl()));
        String cancelUrl = redirect("cancel_url", body.cancelUrl(), billing.cancelUrl());
        UserRecord user = caller.record();
        String customerId = customerOf(user);
        if (hasLiveSubscription(user, customerId)) {
            String portalUrl = gateway(() ->
                    stripe.createPortalSession(customerId, billing.portalReturnUrl(), "portal-" + UUID.randomUUID()));
            throw new ApiException(
                            ErrorCode.ALREADY_SUBSCRIBED,
                            "You already have a subscription: change its plan with POST /api/subscriptions/change/, or"
                                    + " manage it in the billing portal.")
                    .with("portal_url", portalUrl);
        }
        // One open checkout per user: an older checkout page (another tab, another plan) can no longer be paid.
        gateway(() -> checkouts.expireOpen(customerId, "expire-" + UUID.randomUUID()));
        var session = gateway(() -> stripe.createCheckoutSession(new StripeGateway.CheckoutRequest(
                caller.id(), customerId, priceId, successUrl, cancelUrl, "checkout-" + UUID.randomUUID())));
        return new CheckoutView(session.url(), session.id());
    }

    /** What the user record says, and failing that Stripe (a checkout paid moments ago, webhook not in yet). */
    private boolean hasLiveSubscription(UserRecord user, String customerId) {
        if (LIVE_STATUSES.contains(user.subscriptionStatus())) {
            return true;
        }
        return gateway(() -> stripe.currentSubscription(customerId)
                .filter(s -> LIVE_STATUSES.contains(s.getStatus()))
                .isPresent());
    }

    /** The success URL must carry the session id, for {@code POST /api/subscriptions/sync/}. */
    private static String withSessionId(String successUrl) {
        if (successUrl.contains(SESSION_ID_TEMPLATE)) {
            return successUrl;
        }
        return successUrl + (successUrl.contains("?") ? "&" : "?") + "session_id=" + SESSION_ID_TEMPLATE;
    }

    @PostMapping(path = "/api/subscriptions/portal")
    @Operation(
            summary = "A Stripe Billing Portal session for a user who has a Stripe customer: {portal_url}",
            description = "The body is optional (`return_url` on an allowed origin). A user who never checked out"
                    + " has no customer: 409 `no_billing_account`.")
    @ProblemResponses({ErrorCode.BILLING_NOT_CONFIGURED, ErrorCode.NO_BILLING_ACCOUNT, ErrorCode.SERVICE_UNAVAILABLE})
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
            // Stripe fills in {CHECKOUT_SESSION_ID} in a success URL; java.net.URI refuses braces, so the
            // template is set aside for the check and passed on as written. Any other brace is refused.
            URI uri = URI.create(
                    field.equals("success_url") ? requested.replace(SESSION_ID_TEMPLATE, "session") : requested);
            String origin = uri.getScheme() + "://" + uri.getAuthority();
            if (uri.getScheme() != null
                    && uri.getAuthority() != null
                    && allowedOrigin(origin, billing.allowedRedirectOrigins())) {
                return requested;
            }
        } catch (IllegalArgumentException malformed) {
            // reported below
        }
        throw invalid(field, "must be a URL on one of " + billing.allowedRedirectOrigins());
    }

    /**
     * An allowed origin matches exactly, or ends in {@code :*} for any port of that scheme and host: the
     * local stack serves the web client on a port chosen at start-up.
     */
    static boolean allowedOrigin(String origin, List<String> allowed) {
        for (String entry : allowed) {
            if (entry.equals(origin)) {
                return true;
            }
            if (entry.endsWith(":*")) {
                String prefix = entry.substring(0, entry.length() - 1);
                if (origin.startsWith(prefix)
                        && origin.substring(prefix.length()).matches("[0-9]{1,5}")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ApiException invalid(String field, String message) {
        return PaidPlans.invalid(field, message);
    }

    static <T> T gateway(Supplier<T> call) {
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
