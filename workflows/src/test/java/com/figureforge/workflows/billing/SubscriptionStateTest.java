package com.figureforge.workflows.billing;

import static com.figureforge.workflows.billing.FakeBilling.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state's transitions (each computes the next record) and its JSON, which continue-as-new carries. */
class SubscriptionStateTest {

    private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    private static final Instant END = Instant.parse("2026-12-14T00:00:00Z");
    private static final SubscriptionState START = SubscriptionState.initial("alice", "cus_1");

    private static StripeEventSignal event(String id) {
        return new StripeEventSignal(id, StripeEventTypes.INVOICE_PAID, NOW.getEpochSecond(), "cus_1", "sub_1", null);
    }

    @Test
    void handlingRemembersTheNewestIdsAndLeavesTheOriginalAlone() {
        SubscriptionState state = START;
        for (String id : List.of("evt_1", "evt_2", "evt_3", "evt_4")) {
            state = state.handling(event(id), 3).handled();
        }

        assertThat(state.recentEventIds()).containsExactly("evt_2", "evt_3", "evt_4");
        assertThat(state.seen("evt_4")).isTrue();
        assertThat(state.seen("evt_1")).isFalse();
        assertThat(state.lastEventId()).isEqualTo("evt_4");
        assertThat(state.lastEventType()).isEqualTo(StripeEventTypes.INVOICE_PAID);
        assertThat(state.eventsApplied()).isEqualTo(4);
        assertThat(START.recentEventIds()).isEmpty();
        assertThat(START.eventsApplied()).isZero();
    }

    @Test
    void anotherCustomerIsLinkedOnTheNextWriteTheSameOneChangesNothing() {
        SubscriptionState written = START.written(NOW);

        assertThat(written.following("cus_1")).isSameAs(written);
        SubscriptionState switched = written.following("cus_2");
        assertThat(switched.customerId()).isEqualTo("cus_2");
        assertThat(switched.lastAppliedAt()).as("forces the next write").isNull();
    }

    @Test
    void aFailureIsCountedAndKeepsAnEarlierCheck() {
        SubscriptionState once = START.failed(NOW.plus(Duration.ofHours(1)));
        SubscriptionState twice = once.failed(NOW.plus(Duration.ofHours(2)));

        assertThat(once.nextCheckAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
        assertThat(twice.nextCheckAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
        assertThat(twice.failures()).isEqualTo(2);
        assertThat(twice.checking().nextCheckAt()).isNull();
    }

    @Test
    void aDecisionReplacesWhatStripeDecidesAndKeepsTheRest() {
        SubscriptionState before = START.handling(event("evt_1"), 10)
                .synced(NOW)
                .written(NOW)
                .duplicatesCanceled(1)
                .duplicateIgnored();
        var decision = SubscriptionRules.decide(
                before, subscription("sub_1", "active", "pro", NOW, END), NOW, Duration.ofDays(7));

        SubscriptionState after = before.decided(decision);

        assertThat(after.plan()).isEqualTo("pro");
        assertThat(after.status()).isEqualTo("active");
        assertThat(after.subscriptionId()).isEqualTo("sub_1");
        assertThat(after.periodStart()).isEqualTo(NOW);
        assertThat(after.periodEnd()).isEqualTo(END);
        assertThat(decision.differsFrom(after)).isFalse();
        assertThat(after)
                .usingRecursiveComparison()
                .ignoringFields("plan", "status", "subscriptionId", "priceId", "periodStart", "periodEnd")
                .isEqualTo(before);
    }

    /** A state as continue-as-new carried it before the workflow held one record: it must read back unchanged. */
    private static final String CARRIED = """
            {"userId":"alice","plan":"pro","status":"past_due","customerId":"cus_1","subscriptionId":"sub_1",\
            "priceId":"price_pro","periodStart":"2026-11-14T00:00:00Z","periodEnd":"2026-12-14T00:00:00Z",\
            "cancelAtPeriodEnd":false,"cancelAt":null,"pastDueSince":"2026-11-20T12:00:00Z",\
            "graceUntil":"2026-11-27T12:00:00Z","nextCheckAt":"2026-11-27T12:00:00Z","lastEventId":"evt_2",\
            "lastEventType":"invoice.payment_failed","lastSyncedAt":"2026-11-20T12:00:00Z",\
            "lastAppliedAt":"2026-11-20T12:00:00Z","eventsApplied":2,"duplicatesIgnored":1,"failures":0,\
            "duplicatesCanceled":0,"recentEventIds":["evt_1","evt_2"]}""";

    @Test
    void theCarriedJsonReadsBackAndIsWrittenTheSameWay() {
        var converter = DefaultDataConverter.STANDARD_INSTANCE;
        Payload carried = Payload.newBuilder()
                .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                .setData(ByteString.copyFromUtf8(CARRIED))
                .build();

        SubscriptionState state = converter.fromPayload(carried, SubscriptionState.class, SubscriptionState.class);
        String written = converter.toPayload(state).orElseThrow().getData().toString(StandardCharsets.UTF_8);

        assertThat(state.graceUntil()).isEqualTo(Instant.parse("2026-11-27T12:00:00Z"));
        assertThat(state.recentEventIds()).containsExactly("evt_1", "evt_2");
        assertThat(written).isEqualTo(CARRIED);
    }
}
