package com.figureforge.app.billing;

import com.figureforge.adapters.data.QuotaPeriod;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.app.config.FigureForgeProperties.Plan;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Which plan limits and which quota period apply to a user now. A paid user always counts against the
 * last billing period the subscription workflow applied, even after its end: while a renewal webhook is on
 * its way, and while a payment is overdue (the workflow keeps the last paid period then), the counter
 * stays the paid one, so nobody gets a fresh counter that was not paid for. The next period starts only
 * when the workflow writes it. Free users count against the calendar month in UTC.
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
            return QuotaPeriod.billingPeriod(user.periodStart(), user.periodEnd());
        }
        // A paid plan without any known period (the first thing the workflow saw was an overdue
        // subscription) has no paid counter to keep: it counts like free, by calendar month.
        return QuotaPeriod.calendarMonth(now);
    }
}
