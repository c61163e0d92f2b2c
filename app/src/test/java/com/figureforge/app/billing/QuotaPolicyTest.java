package com.figureforge.app.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRecord;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.config.FigureForgeProperties.Plan;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A paid user's counter is the billing period's, also after its end; never a fresh calendar month. */
class QuotaPolicyTest {

    private static final Instant START = Instant.parse("2026-11-14T10:00:00Z");
    private static final Instant END = Instant.parse("2026-12-14T10:00:00Z");

    private final QuotaPolicy policy = new QuotaPolicy(new PlanCatalog(new FigureForgeProperties(
            true,
            65536,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            Map.of(
                    "free", new Plan("Free", 0, 10, 1, 1, null, List.of()),
                    "pro", new Plan("Pro", 1900, 600, 4, 4, "price_pro", List.of())))));

    @Test
    void aPaidUserCountsAgainstTheBillingPeriodInsideIt() {
        var period = policy.period(user("pro", "active", START, END), START.plusSeconds(86_400));
        assertThat(period.key()).isEqualTo("2026-11-14");
        assertThat(period.start()).isEqualTo(START);
        assertThat(period.end()).isEqualTo(END);
    }

    @Test
    void theGapBeforeTheRenewalWebhookKeepsTheLastPaidPeriod() {
        var afterEnd = END.plusSeconds(3600);
        assertThat(policy.period(user("pro", "active", START, END), afterEnd).key())
                .isEqualTo("2026-11-14");
    }

    @Test
    void pastDueKeepsTheLastPaidPeriodWeeksLater() {
        var later = END.plusSeconds(6 * 86_400);
        assertThat(policy.period(user("pro", "past_due", START, END), later).key())
                .isEqualTo("2026-11-14");
    }

    @Test
    void freeUsersAndPaidUsersWithoutAnyPeriodCountByCalendarMonth() {
        var now = Instant.parse("2026-12-20T00:00:00Z");
        assertThat(policy.period(user("free", "none", null, null), now).key()).isEqualTo("2026-12");
        assertThat(policy.period(user("free", "canceled", START, END), now).key())
                .isEqualTo("2026-12");
        assertThat(policy.period(user("pro", "past_due", null, null), now).key())
                .isEqualTo("2026-12");
    }

    private static UserRecord user(String plan, String status, Instant start, Instant end) {
        return new UserRecord(
                "u1", "alice", null, "alice", plan, status, "private", "cus_1", start, end, START, START, false, null);
    }
}
