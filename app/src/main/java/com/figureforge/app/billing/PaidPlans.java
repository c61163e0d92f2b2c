package com.figureforge.app.billing;

import com.figureforge.adapters.stripe.StripePlanPrices;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ApiException.FieldError;
import com.figureforge.app.web.ErrorCode;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;

/** The paid plans a request may name (checkout, plan change), each with its configured Stripe price. */
@Component
class PaidPlans {

    private final PlanCatalog plans;
    private final StripePlanPrices prices;

    PaidPlans(PlanCatalog plans, StripePlanPrices prices) {
        this.plans = plans;
        this.prices = prices;
    }

    /** The requested plan's id (lower case): 400 for a missing, unknown or free plan, 503 for one without a price. */
    String require(String requested) {
        if (requested == null || requested.isBlank()) {
            throw invalid("plan", "is required");
        }
        String plan = requested.toLowerCase(Locale.ROOT);
        if (!plans.all().containsKey(plan) || PlanCatalog.FREE.equals(plan)) {
            throw invalid("plan", "must be one of the paid plans " + ids());
        }
        priceOf(plan);
        return plan;
    }

    String priceOf(String plan) {
        return prices.priceOf(plan)
                .orElseThrow(() -> new ApiException(
                        ErrorCode.BILLING_NOT_CONFIGURED, "The " + plan + " plan has no Stripe price configured."));
    }

    /** Whether moving from one plan to another raises the monthly quota (an upgrade, applied at once). */
    boolean upgrade(String from, String to) {
        return plans.plan(to).monthlyImages() > plans.plan(from).monthlyImages();
    }

    private List<String> ids() {
        return plans.all().keySet().stream()
                .filter(id -> !PlanCatalog.FREE.equals(id))
                .filter(id -> prices.priceOf(id).isPresent())
                .sorted()
                .toList();
    }

    static ApiException invalid(String field, String message) {
        return new ApiException(
                ErrorCode.VALIDATION_FAILED, field + " " + message, List.of(new FieldError(field, message)));
    }
}
