package com.figureforge.app.plans;

import com.figureforge.activities.data.QuotaPeriod;
import com.figureforge.activities.data.UserRecord;
import com.figureforge.app.config.FigureForgeProperties.Plan;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Which plan limits and which quota period apply to a user now. Paid plans count against the Stripe
 * billing period; free users (and a paid user whose period is unknown or over, until Stripe reports
 * the next one) count against the calendar month in UTC.
 */
@Component
public class QuotaPolicy {

    private final PlanCatalog plans;

    QuotaPolicy(PlanCatalog plans) {
        this.plans = plans;
    }

    public String planId(UserRecord user) {
        return plans.effectiveId(user.plan());
    }

    public Plan plan(UserRecord user) {
        return plans.plan(user.plan());
    }

    public QuotaPeriod period(UserRecord user, Instant now) {
        boolean paid = !PlanCatalog.FREE.equals(planId(user));
        if (paid && user.periodStart() != null && user.periodEnd() != null) {
            QuotaPeriod billing = QuotaPeriod.billingPeriod(user.periodStart(), user.periodEnd());
            if (billing.contains(now)) {
                return billing;
            }
        }
        return QuotaPeriod.calendarMonth(now);
    }
}
