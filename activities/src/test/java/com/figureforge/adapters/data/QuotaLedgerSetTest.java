package com.figureforge.adapters.data;

import static com.figureforge.adapters.data.Reservation.QUOTA_EXCEEDED;
import static com.figureforge.adapters.data.Reservation.RESERVED;
import static com.figureforge.adapters.data.Reservation.TOO_MANY_JOBS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link QuotaLedger#reserveAll}: a variation set's images are reserved whole or not at all. */
class QuotaLedgerSetTest {

    private static final DynamoDbClient dynamo = TestDynamo.client();
    private static final String PERIOD = "2026-11";
    private static String table;
    private QuotaLedger ledger;
    private String user;

    @BeforeAll
    static void createTable() {
        table = TestDynamo.freshTable("quotaset");
    }

    @BeforeEach
    void setUp() {
        ledger = new QuotaLedger(dynamo, table, new MutableClock(Instant.parse("2026-11-14T10:00:00Z")));
        user = "user-" + UUID.randomUUID();
    }

    @Test
    void aSetIsChargedPerJobAndEachJobSettlesOnItsOwn() {
        List<String> jobs = jobs("a", 3);

        assertThat(ledger.reserveAll(user, jobs, 2, PERIOD, 10, 1)).isEqualTo(RESERVED);

        assertThat(ledger.usage(user, PERIOD, 10).used()).isEqualTo(6);
        assertThat(ledger.inFlightJobs(user)).containsExactlyInAnyOrderElementsOf(jobs);
        assertThat(jobs).allSatisfy(job -> {
            assertThat(ledger.charged(user, job, PERIOD)).isEqualTo(2);
            assertThat(ledger.reservedPeriod(user, job)).contains(PERIOD);
        });
        assertThat(ledger.settle(user, jobs.get(1), PERIOD, 2)).isEqualTo(2);
        assertThat(ledger.releaseInFlight(user, jobs.get(1))).isTrue();
        assertThat(ledger.usage(user, PERIOD, 10).used()).isEqualTo(4);
        assertThat(ledger.inFlightJobs(user)).containsExactlyInAnyOrder(jobs.get(0), jobs.get(2));
        assertThat(ledger.reserve(user, "single", 1, PERIOD, 10, 1))
                .as("the set's jobs hold their slots until they drain below the cap")
                .isEqualTo(TOO_MANY_JOBS);
    }

    @Test
    void aSetThatDoesNotFitReservesNothing() {
        assertThat(ledger.reserve(user, "earlier", 4, PERIOD, 10, 5)).isEqualTo(RESERVED);

        assertThat(ledger.reserveAll(user, jobs("b", 4), 2, PERIOD, 10, 5)).isEqualTo(QUOTA_EXCEEDED);
        assertThat(ledger.reserveAll(user, jobs("c", 6), 2, PERIOD, 10, 5))
                .as("can never fit the month")
                .isEqualTo(QUOTA_EXCEEDED);

        assertThat(ledger.usage(user, PERIOD, 10).used()).isEqualTo(4);
        assertThat(ledger.inFlightJobs(user)).containsExactly("earlier");
        assertThat(ledger.reservedPeriod(user, "b-0")).isEmpty();
        assertThat(ledger.reserveAll(user, jobs("d", 3), 2, PERIOD, 10, 5)).isEqualTo(RESERVED);
        assertThat(ledger.usage(user, PERIOD, 10).used()).isEqualTo(10);
    }

    @Test
    void concurrentSetsAgainstASmallQuotaAcceptOnlyWhatFits() throws Exception {
        List<Reservation> results = Race.run(6, i -> ledger.reserveAll(user, jobs("race" + i, 3), 1, PERIOD, 7, 100));

        assertThat(Collections.frequency(results, RESERVED)).isEqualTo(2);
        assertThat(Collections.frequency(results, QUOTA_EXCEEDED)).isEqualTo(4);
        assertThat(ledger.usage(user, PERIOD, 7).used()).isEqualTo(6);
        assertThat(ledger.inFlightJobs(user)).hasSize(6);
    }

    @Test
    void aSetEntersOnlyWhileASlotIsFree() {
        assertThat(ledger.reserve(user, "running", 1, PERIOD, 10, 1)).isEqualTo(RESERVED);

        assertThat(ledger.reserveAll(user, jobs("e", 2), 1, PERIOD, 10, 1)).isEqualTo(TOO_MANY_JOBS);

        assertThat(ledger.usage(user, PERIOD, 10).used()).isEqualTo(1);
        assertThat(ledger.inFlightJobs(user)).containsExactly("running");
    }

    private static List<String> jobs(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }
}
