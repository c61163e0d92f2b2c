package com.figureforge.workflows.billing;

import static com.figureforge.workflows.billing.FakeBilling.cancelingAtPeriodEnd;
import static com.figureforge.workflows.billing.FakeBilling.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.workflows.billing.SubscriptionRules.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubscriptionRulesTest {

    private static final Instant START = Instant.parse("2026-11-14T00:00:00Z");
    private static final Instant END = Instant.parse("2026-12-14T00:00:00Z");
    private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    private static final Duration GRACE = Duration.ofDays(7);
    private static final SubscriptionState FREE = SubscriptionState.initial("alice", "cus_1");

    @Test
    void noSubscriptionIsFreeWithStatusNone() {
        Decision decision = SubscriptionRules.decide(FREE, null, NOW, GRACE);

        assertThat(decision.plan()).isEqualTo("free");
        assertThat(decision.status()).isEqualTo("none");
        assertThat(decision.periodStart()).isNull();
        assertThat(decision.nextCheckAt()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"active", "trialing"})
    void activeAndTrialingGetThePricePlanAndPeriod(String status) {
        Decision decision =
                SubscriptionRules.decide(FREE, subscription("sub_1", status, "pro", START, END), NOW, GRACE);

        assertThat(decision.plan()).isEqualTo("pro");
        assertThat(decision.status()).isEqualTo(status);
        assertThat(decision.periodStart()).isEqualTo(START);
        assertThat(decision.periodEnd()).isEqualTo(END);
    }

    @ParameterizedTest
    @ValueSource(strings = {"unpaid", "incomplete", "incomplete_expired", "paused", "canceled", "something_new"})
    void everyOtherStatusIsFree(String status) {
        Decision decision =
                SubscriptionRules.decide(FREE, subscription("sub_1", status, "pro", START, END), NOW, GRACE);

        assertThat(decision.plan()).isEqualTo("free");
        assertThat(decision.status()).isEqualTo(status);
        assertThat(decision.periodStart()).isNull();
    }

    @Test
    void anUnconfiguredPriceIsFree() {
        var unknown =
                new StripeSubscription("sub_1", "active", "price_x", null, START, END, false, null, null, null, START);

        Decision decision = SubscriptionRules.decide(FREE, unknown, NOW, GRACE);

        assertThat(decision.plan()).isEqualTo("free");
        assertThat(decision.priceId()).isEqualTo("price_x");
        assertThat(decision.reason()).contains("not a configured plan");
    }

    @Test
    void aScheduledCancellationIsCheckedThenAndEndsThePlanOnceItPassed() {
        StripeSubscription canceling = cancelingAtPeriodEnd(subscription("sub_1", "active", "pro", START, END));

        Decision before = SubscriptionRules.decide(FREE, canceling, NOW, GRACE);
        Decision after = SubscriptionRules.decide(FREE, canceling, END, GRACE);

        assertThat(before.plan()).isEqualTo("pro");
        assertThat(before.nextCheckAt()).isEqualTo(END);
        assertThat(after.plan()).isEqualTo("free");
        assertThat(after.status()).isEqualTo("canceled");
        assertThat(after.nextCheckAt()).isNull();
    }

    @Test
    void pastDueWithoutAKnownPaidPeriodKeepsThePlanWithoutAPeriod() {
        Decision decision =
                SubscriptionRules.decide(FREE, subscription("sub_1", "past_due", "pro", START, END), NOW, GRACE);

        assertThat(decision.plan()).isEqualTo("pro");
        assertThat(decision.periodStart()).isNull();
        assertThat(decision.pastDueSince()).isEqualTo(NOW);
        assertThat(decision.graceUntil()).isEqualTo(NOW.plus(GRACE));
        assertThat(decision.nextCheckAt()).isEqualTo(NOW.plus(GRACE));
    }

    @Test
    void theGracePeriodCountsFromTheFirstTimePastDueWasSeen() {
        Instant since = NOW.minus(Duration.ofDays(6));
        SubscriptionState pastDue = new SubscriptionState(
                "alice",
                "pro",
                "past_due",
                "cus_1",
                "sub_1",
                "price_pro",
                START,
                END,
                false,
                null,
                since,
                since.plus(GRACE),
                since.plus(GRACE),
                null,
                null,
                null,
                NOW,
                2,
                0,
                0,
                0,
                List.of());
        StripeSubscription sub = subscription("sub_1", "past_due", "pro", END, END.plus(Duration.ofDays(30)));

        Decision within = SubscriptionRules.decide(pastDue, sub, NOW, GRACE);
        Decision over = SubscriptionRules.decide(pastDue, sub, since.plus(GRACE), GRACE);

        assertThat(within.plan()).isEqualTo("pro");
        assertThat(within.periodStart()).as("the last paid period").isEqualTo(START);
        assertThat(within.graceUntil()).isEqualTo(since.plus(GRACE));
        assertThat(over.plan()).isEqualTo("free");
        assertThat(over.status()).isEqualTo("past_due");
        assertThat(over.pastDueSince()).isEqualTo(since);
        assertThat(over.nextCheckAt()).isNull();
    }
}
