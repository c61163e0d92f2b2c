package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Random interleavings of what happens to a user's quota (reserve, settle with any refund, retries of
 * both, concurrent settlements, renewals, upgrades and downgrades) against a model that predicts every
 * answer of the ledger. After each step: used is the sum of what the jobs of that period were charged
 * and not given back, never negative, never above the period's limit, and no job is charged twice.
 */
class QuotaLedgerRandomizedTest {

    private static final DynamoDbClient dynamo = TestDynamo.client();
    private static String table;

    @BeforeAll
    static void createTable() {
        table = TestDynamo.freshTable("quota-random");
    }

    /** A job as the model sees it. */
    private static final class Job {
        final String id;
        final String period;
        final int charged;
        int refunded;
        boolean settled;
        boolean slotHeld = true;

        Job(String id, String period, int charged) {
            this.id = id;
            this.period = period;
            this.charged = charged;
        }
    }

    private final class Model {
        final String user = "user-" + UUID.randomUUID();
        final QuotaLedger ledger =
                new QuotaLedger(dynamo, table, new MutableClock(Instant.parse("2026-11-14T10:00:00Z")));
        final Map<String, Job> jobs = new LinkedHashMap<>();
        final Map<String, Integer> limitOf = new HashMap<>();
        int periodNumber = 0;
        int limit = 10;
        int nextLimit = 10;
        int cap = 2;
        int nextCap = 2;
        int issued = 0;

        String period() {
            return "2026-" + String.format("%02d", 1 + periodNumber % 12) + "-" + (periodNumber / 12);
        }

        long usedIn(String period) {
            return jobs.values().stream()
                    .filter(j -> j.period.equals(period))
                    .mapToLong(j -> j.charged - j.refunded)
                    .sum();
        }

        long openSlots() {
            return jobs.values().stream().filter(j -> j.slotHeld).count();
        }

        List<Job> where(Predicate<Job> filter) {
            return jobs.values().stream().filter(filter).toList();
        }

        void reserveNew(Random random) {
            int images = 1 + random.nextInt(4);
            String id = "job-" + (issued++);
            long used = usedIn(period());
            Reservation expected;
            if (images > limit) {
                expected = Reservation.QUOTA_EXCEEDED;
            } else if (openSlots() >= cap) {
                expected = Reservation.TOO_MANY_JOBS;
            } else if (used + images > limit) {
                expected = Reservation.QUOTA_EXCEEDED;
            } else {
                expected = Reservation.RESERVED;
            }
            Reservation actual = ledger.reserve(user, id, images, period(), limit, cap);
            assertThat(actual).as("reserve %d image(s) as %s", images, id).isEqualTo(expected);
            if (actual == Reservation.RESERVED) {
                jobs.put(id, new Job(id, period(), images));
            }
        }

        void retryReserve(Random random) {
            List<Job> open = where(j -> !j.settled && j.period.equals(period()));
            if (open.isEmpty()) {
                return;
            }
            Job job = open.get(random.nextInt(open.size()));
            assertThat(ledger.reserve(user, job.id, job.charged, period(), limit, cap))
                    .as("a retried reservation of %s", job.id)
                    .isEqualTo(Reservation.ALREADY_RESERVED);
        }

        /** The job's outcome: kept (0), partly given back (blocked images) or given back whole. */
        void settle(Random random) throws Exception {
            List<Job> open = where(j -> !j.settled);
            if (open.isEmpty()) {
                return;
            }
            Job job = open.get(random.nextInt(open.size()));
            int refund = random.nextInt(job.charged + 2); // sometimes more than charged
            int given;
            if (random.nextBoolean()) {
                given = ledger.settle(user, job.id, job.period, refund);
                assertThat(given).isEqualTo(Math.min(refund, job.charged));
            } else {
                // two writers settle at once: exactly one decides
                int other = random.nextInt(job.charged + 1);
                List<Integer> answers =
                        Race.run(2, i -> ledger.settle(user, job.id, job.period, i == 0 ? refund : other));
                assertThat(answers).containsAnyOf(0);
                given = answers.get(0) + answers.get(1);
                assertThat(given).isIn(Math.min(refund, job.charged), Math.min(other, job.charged));
            }
            job.refunded = given;
            job.settled = true;
            ledger.releaseInFlight(user, job.id);
            job.slotHeld = false;
        }

        void retrySettle(Random random) {
            List<Job> settled = where(j -> j.settled);
            if (settled.isEmpty()) {
                return;
            }
            Job job = settled.get(random.nextInt(settled.size()));
            assertThat(ledger.settle(user, job.id, job.period, job.charged))
                    .as("a retried settlement of %s", job.id)
                    .isZero();
            assertThat(ledger.releaseInFlight(user, job.id)).isFalse();
        }

        void renew() {
            limitOf.put(period(), limit);
            periodNumber++;
            limit = nextLimit;
            cap = nextCap;
        }

        /** Upgrades apply at once; downgrades at the next renewal, as Stripe bills them. */
        void changePlan(Random random) {
            int[][] plans = {{10, 1}, {150, 2}, {600, 4}, {2500, 8}};
            int[] plan = plans[random.nextInt(plans.length)];
            if (plan[0] >= limit) {
                limit = plan[0];
                cap = Math.max(cap, plan[1]);
            }
            nextLimit = plan[0];
            nextCap = plan[1];
        }

        void checkInvariants() {
            limitOf.put(period(), limit);
            for (Map.Entry<String, Integer> entry : limitOf.entrySet()) {
                long used = ledger.usage(user, entry.getKey(), entry.getValue()).used();
                assertThat(used).as("used in %s", entry.getKey()).isEqualTo(usedIn(entry.getKey()));
                assertThat(used).isNotNegative().isLessThanOrEqualTo(entry.getValue());
            }
            assertThat(ledger.inFlightJobs(user))
                    .containsExactlyInAnyOrderElementsOf(
                            where(j -> j.slotHeld).stream().map(j -> j.id).toList());
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 2026})
    void usedIsAlwaysWhatTheJobsWereChargedAndNotGivenBack(long seed) throws Exception {
        Random random = new Random(seed);
        Model model = new Model();
        List<String> steps = new ArrayList<>();
        for (int step = 0; step < 250; step++) {
            int dice = random.nextInt(100);
            String name;
            if (dice < 40) {
                name = "reserve";
                model.reserveNew(random);
            } else if (dice < 48) {
                name = "retry reserve";
                model.retryReserve(random);
            } else if (dice < 80) {
                name = "settle";
                model.settle(random);
            } else if (dice < 88) {
                name = "retry settle";
                model.retrySettle(random);
            } else if (dice < 94) {
                name = "plan change";
                model.changePlan(random);
            } else {
                name = "renewal";
                model.renew();
            }
            steps.add(name);
            model.checkInvariants();
        }
        assertThat(steps).contains("reserve", "settle", "renewal", "plan change");
        assertThat(model.jobs.values()).anyMatch(j -> j.settled && j.refunded == 0);
        assertThat(model.jobs.values()).anyMatch(j -> j.settled && j.refunded > 0);
    }

    @Test
    void aReservationOfAnEarlierPeriodIsSettledAgainstThatPeriod() {
        Model model = new Model();
        model.ledger.reserve(model.user, "old", 3, "2026-10", 10, 2);
        model.ledger.reserve(model.user, "new", 2, "2026-11", 10, 2);

        String period = model.ledger.reservedPeriod(model.user, "old").orElseThrow();
        assertThat(model.ledger.settle(model.user, "old", period, 3)).isEqualTo(3);

        assertThat(model.ledger.usage(model.user, "2026-10", 10).used()).isZero();
        assertThat(model.ledger.usage(model.user, "2026-11", 10).used()).isEqualTo(2);
    }
}
