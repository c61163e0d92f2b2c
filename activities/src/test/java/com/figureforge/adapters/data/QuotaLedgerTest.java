package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Reservation.ALREADY_RESERVED;
import static com.figureforge.adapters.data.Reservation.QUOTA_EXCEEDED;
import static com.figureforge.adapters.data.Reservation.RESERVED;
import static com.figureforge.adapters.data.Reservation.TOO_MANY_JOBS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class QuotaLedgerTest {

    private static final DynamoDbClient dynamo = TestDynamo.client();
    private static final String PERIOD = "2026-11";
    private static final int NO_CAP = 1000;
    private static String table;
    private QuotaLedger ledger;
    private String user;

    @BeforeAll
    static void createTable() {
        table = TestDynamo.freshTable("quota");
    }

    @BeforeEach
    void setUp() {
        ledger = new QuotaLedger(dynamo, table, new MutableClock(Instant.parse("2026-11-14T10:00:00Z")));
        user = "user-" + UUID.randomUUID();
    }

    @Test
    void twentyConcurrentReservationsWithRoomForSevenAcceptExactlySeven() throws Exception {
        List<Reservation> results = Race.run(20, i -> ledger.reserve(user, "job-" + i, 1, PERIOD, 7, NO_CAP));

        assertThat(Collections.frequency(results, RESERVED)).isEqualTo(7);
        assertThat(Collections.frequency(results, QUOTA_EXCEEDED)).isEqualTo(13);
        QuotaLedger.Usage usage = ledger.usage(user, PERIOD, 7);
        assertThat(usage.used()).isEqualTo(7);
        assertThat(usage.remaining()).isZero();
        // the rejected ones gave their in-flight slot back
        assertThat(usage.inFlight()).isEqualTo(7);
    }

    @Test
    void concurrentReservationsOfSeveralImagesNeverOvershootTheLimit() throws Exception {
        List<Reservation> results = Race.run(12, i -> ledger.reserve(user, "job-" + i, 3, PERIOD, 10, NO_CAP));

        assertThat(Collections.frequency(results, RESERVED)).isEqualTo(3);
        assertThat(ledger.usage(user, PERIOD, 10).used()).isEqualTo(9);
        assertThat(ledger.reserve(user, "small", 1, PERIOD, 10, NO_CAP)).isEqualTo(RESERVED);
        assertThat(ledger.reserve(user, "one-more", 1, PERIOD, 10, NO_CAP)).isEqualTo(QUOTA_EXCEEDED);
    }

    @Test
    void theInFlightCapUnderConcurrencyAcceptsExactlyTheCap() throws Exception {
        List<Reservation> results = Race.run(12, i -> ledger.reserve(user, "job-" + i, 1, PERIOD, 100, 3));

        assertThat(Collections.frequency(results, RESERVED)).isEqualTo(3);
        assertThat(Collections.frequency(results, TOO_MANY_JOBS)).isEqualTo(9);
        assertThat(ledger.usage(user, PERIOD, 100).used()).isEqualTo(3);
        assertThat(ledger.inFlightJobs(user)).hasSize(3);
    }

    @Test
    void theSameJobReservedTwiceIsChargedOnce() {
        assertThat(ledger.reserve(user, "job-1", 4, PERIOD, 600, 4)).isEqualTo(RESERVED);
        assertThat(ledger.reserve(user, "job-1", 4, PERIOD, 600, 4)).isEqualTo(ALREADY_RESERVED);

        QuotaLedger.Usage usage = ledger.usage(user, PERIOD, 600);
        assertThat(usage.used()).isEqualTo(4);
        assertThat(usage.inFlight()).isEqualTo(1);
        assertThat(ledger.charged(user, "job-1", PERIOD)).isEqualTo(4);
    }

    @Test
    void theSameJobReservedConcurrentlyIsChargedOnceAndHoldsOneSlot() throws Exception {
        List<Reservation> results = Race.run(10, i -> ledger.reserve(user, "job-1", 2, PERIOD, 150, 2));

        assertThat(Collections.frequency(results, RESERVED)).isEqualTo(1);
        assertThat(Collections.frequency(results, ALREADY_RESERVED)).isEqualTo(9);
        assertThat(ledger.usage(user, PERIOD, 150).used()).isEqualTo(2);
        assertThat(ledger.inFlightJobs(user)).containsExactly("job-1");
    }

    @Test
    void aNewJobReservedWithoutTheReadIsStillChargedOnceUnderConcurrency() throws Exception {
        List<Reservation> results = Race.run(10, i -> ledger.reserveNew(user, "job-1", 2, PERIOD, 150, 2));

        assertThat(Collections.frequency(results, RESERVED)).isEqualTo(1);
        assertThat(Collections.frequency(results, ALREADY_RESERVED)).isEqualTo(9);
        assertThat(ledger.usage(user, PERIOD, 150).used()).isEqualTo(2);
        assertThat(ledger.inFlightJobs(user)).containsExactly("job-1");
    }

    @Test
    void newJobsRacingForTheLastImagesGetExactlyTheLimit() throws Exception {
        List<Reservation> results = Race.run(12, i -> ledger.reserveNew(user, "job-" + i, 3, PERIOD, 10, 20));

        assertThat(Collections.frequency(results, RESERVED)).isEqualTo(3);
        assertThat(Collections.frequency(results, QUOTA_EXCEEDED)).isEqualTo(9);
        assertThat(ledger.usage(user, PERIOD, 10).used()).isEqualTo(9);
        assertThat(ledger.inFlightJobs(user)).hasSize(3);
    }

    @Test
    void aFinishedJobReservedAgainIsNotChargedAndTakesNoSlot() {
        ledger.reserve(user, "job-1", 1, PERIOD, 10, 1);
        ledger.releaseInFlight(user, "job-1");

        assertThat(ledger.reserve(user, "job-1", 1, PERIOD, 10, 1)).isEqualTo(ALREADY_RESERVED);
        assertThat(ledger.usage(user, PERIOD, 10).used()).isEqualTo(1);
        assertThat(ledger.inFlightJobs(user)).isEmpty();
    }

    @Test
    void aQuotaRejectionGivesTheInFlightSlotBack() {
        assertThat(ledger.reserve(user, "job-1", 1, PERIOD, 1, 1)).isEqualTo(RESERVED);
        ledger.releaseInFlight(user, "job-1");

        assertThat(ledger.reserve(user, "job-2", 1, PERIOD, 1, 1)).isEqualTo(QUOTA_EXCEEDED);

        assertThat(ledger.inFlightJobs(user)).isEmpty();
        assertThat(ledger.charged(user, "job-2", PERIOD)).isZero();
    }

    @Test
    void aJobLargerThanTheWholeLimitIsRejected() {
        assertThat(ledger.reserve(user, "job-1", 11, PERIOD, 10, 1)).isEqualTo(QUOTA_EXCEEDED);
        assertThat(ledger.usage(user, PERIOD, 10)).isEqualTo(new QuotaLedger.Usage(0, 10, 10, 0));
        assertThat(ledger.reserve(user, "job-2", 1, PERIOD, 0, 1)).isEqualTo(QUOTA_EXCEEDED);
    }

    @Test
    void aLimitLoweredBelowWhatIsUsedRejectsAndShowsNothingRemaining() {
        ledger.reserve(user, "job-1", 8, PERIOD, 10, 2);
        ledger.releaseInFlight(user, "job-1");

        assertThat(ledger.reserve(user, "job-2", 1, PERIOD, 5, 2)).isEqualTo(QUOTA_EXCEEDED);
        assertThat(ledger.usage(user, PERIOD, 5)).isEqualTo(new QuotaLedger.Usage(8, 5, 0, 0));
    }

    @Test
    void settlingTwiceRefundsOnce() {
        ledger.reserve(user, "job-1", 4, PERIOD, 10, 2);

        assertThat(ledger.settle(user, "job-1", PERIOD, 4)).isEqualTo(4);
        assertThat(ledger.settle(user, "job-1", PERIOD, 4)).isZero();

        assertThat(ledger.usage(user, PERIOD, 10).used()).isZero();
        assertThat(ledger.usage(user, PERIOD, 10).remaining()).isEqualTo(10);
    }

    @Test
    void concurrentSettlementsOfOneJobRefundOnce() throws Exception {
        ledger.reserve(user, "job-1", 3, PERIOD, 10, 2);

        List<Integer> refunded = Race.run(8, i -> ledger.settle(user, "job-1", PERIOD, 3));

        assertThat(refunded.stream().mapToInt(Integer::intValue).sum()).isEqualTo(3);
        assertThat(ledger.usage(user, PERIOD, 10).used()).isZero();
    }

    @Test
    void theFirstSettlementDecidesThePartialRefund() {
        ledger.reserve(user, "job-1", 4, PERIOD, 10, 2);

        assertThat(ledger.settle(user, "job-1", PERIOD, 1)).isEqualTo(1);
        assertThat(ledger.settle(user, "job-1", PERIOD, 3)).isZero();

        assertThat(ledger.usage(user, PERIOD, 10).used()).isEqualTo(3);
    }

    @Test
    void aSettlementThatKeepsTheChargeRefundsNothingLater() {
        ledger.reserve(user, "job-1", 2, PERIOD, 10, 2);

        assertThat(ledger.settle(user, "job-1", PERIOD, 0)).isZero();
        assertThat(ledger.settle(user, "job-1", PERIOD, 2)).isZero();

        assertThat(ledger.usage(user, PERIOD, 10).used()).isEqualTo(2);
    }

    @Test
    void aRefundNeverExceedsTheChargeAndNeedsACharge() {
        ledger.reserve(user, "job-1", 2, PERIOD, 10, 2);

        assertThat(ledger.settle(user, "never-charged", PERIOD, 2)).isZero();
        assertThat(ledger.settle(user, "job-1", "2026-10", 2)).isZero();
        assertThat(ledger.settle(user, "job-1", PERIOD, 5)).isEqualTo(2);
        assertThat(ledger.usage(user, PERIOD, 10).used()).isZero();
    }

    @Test
    void settledJobsLeaveNothingBehindInTheCounterItem() {
        for (int i = 0; i < 30; i++) {
            ledger.reserve(user, "job-" + i, 1, PERIOD, 100, 2);
            ledger.settle(user, "job-" + i, PERIOD, i % 2);
            ledger.releaseInFlight(user, "job-" + i);
        }

        var item = dynamo.getItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.user(user), Keys.quota(PERIOD)))
                        .consistentRead(true))
                .item();
        assertThat(item.keySet()).noneMatch(name -> name.startsWith("c#") || name.startsWith("r#"));
        assertThat(ledger.usage(user, PERIOD, 100).used()).isEqualTo(15);
        var inFlight = dynamo.getItem(b -> b.tableName(table)
                        .key(Keys.key(Keys.user(user), Keys.INFLIGHT))
                        .consistentRead(true))
                .item();
        assertThat(inFlight.keySet()).noneMatch(name -> name.startsWith("p#"));
    }

    @Test
    void aSlotRemembersThePeriodItWasReservedAgainst() {
        ledger.reserve(user, "job-1", 1, "2026-10", 10, 2);

        assertThat(ledger.reservedPeriod(user, "job-1")).contains("2026-10");
        assertThat(ledger.reservedPeriod(user, "job-2")).isEmpty();

        ledger.releaseInFlight(user, "job-1");
        assertThat(ledger.reservedPeriod(user, "job-1")).isEmpty();
    }

    @Test
    void releaseInFlightFreesASlotAndIsIdempotent() {
        assertThat(ledger.reserve(user, "job-1", 1, PERIOD, 10, 1)).isEqualTo(RESERVED);
        assertThat(ledger.reserve(user, "job-2", 1, PERIOD, 10, 1)).isEqualTo(TOO_MANY_JOBS);

        assertThat(ledger.releaseInFlight(user, "job-1")).isTrue();
        assertThat(ledger.releaseInFlight(user, "job-1")).isFalse();
        assertThat(ledger.releaseInFlight(user, "unknown")).isFalse();

        assertThat(ledger.reserve(user, "job-2", 1, PERIOD, 10, 1)).isEqualTo(RESERVED);
        assertThat(ledger.usage(user, PERIOD, 10)).isEqualTo(new QuotaLedger.Usage(2, 10, 8, 1));
    }

    @Test
    void periodsAreCountedSeparately() {
        ledger.reserve(user, "job-1", 10, "2026-10", 10, 5);

        assertThat(ledger.reserve(user, "job-2", 10, PERIOD, 10, 5)).isEqualTo(RESERVED);
        assertThat(ledger.usage(user, "2026-10", 10).used()).isEqualTo(10);
        assertThat(ledger.usage(user, PERIOD, 10).used()).isEqualTo(10);
    }

    @Test
    void usageOfAFreshUserIsEmpty() {
        assertThat(ledger.usage(user, PERIOD, 10)).isEqualTo(new QuotaLedger.Usage(0, 10, 10, 0));
    }

    @Test
    void nonsenseArgumentsAreRejected() {
        assertThatThrownBy(() -> ledger.reserve(user, "job", 0, PERIOD, 10, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.reserve(user, "job", 1, PERIOD, 10, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.settle(user, "job", PERIOD, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
