package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.RateLimitCounters.Decision;
import com.figureforge.adapters.data.RateLimitCounters.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RateLimitCountersTest {

    private static final String TABLE = TestDynamo.freshTable("ratelimit");
    private static final Window TEN_PER_MINUTE = new Window("user", 10, Duration.ofMinutes(1));

    // 12:00:15 UTC: 45 s left in the minute window.
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T12:00:15Z"));

    private RateLimitCounters replica() {
        return new RateLimitCounters(TestDynamo.client(), TABLE, clock);
    }

    private static String someone() {
        return RateLimitCounters.userSubject("u-" + UUID.randomUUID());
    }

    @Test
    void twoReplicasRacingTogetherLetThroughExactlyTheLimit() throws Exception {
        RateLimitCounters first = replica();
        RateLimitCounters second = replica();
        String subject = someone();

        List<Decision> decisions =
                Race.run(30, i -> (i % 2 == 0 ? first : second).take(subject, List.of(TEN_PER_MINUTE)));

        assertThat(decisions.stream().filter(Decision::allowed)).hasSize(10);
        assertThat(decisions.stream().filter(d -> !d.allowed()))
                .hasSize(20)
                .allSatisfy(d -> assertThat(d.resetAfter()).isEqualTo(Duration.ofSeconds(45)));
        // Each allowed request saw a distinct count: remaining 9, 8, ..., 0 once each.
        assertThat(decisions.stream().filter(Decision::allowed).map(Decision::remaining))
                .containsExactlyInAnyOrder(9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L, 0L);
    }

    @Test
    void aNewWindowStartsAFreshCountAndSubjectsAreCountedApart() {
        RateLimitCounters counters = replica();
        String subject = someone();
        String other = RateLimitCounters.addressSubject("203.0.113.7");
        for (int i = 0; i < 10; i++) {
            assertThat(counters.take(subject, List.of(TEN_PER_MINUTE)).allowed())
                    .isTrue();
        }
        assertThat(counters.take(subject, List.of(TEN_PER_MINUTE)).allowed()).isFalse();
        assertThat(counters.take(other, List.of(TEN_PER_MINUTE)).allowed()).isTrue();

        clock.advance(Duration.ofSeconds(45));

        Decision next = counters.take(subject, List.of(TEN_PER_MINUTE));
        assertThat(next.allowed()).isTrue();
        assertThat(next.remaining()).isEqualTo(9);
        assertThat(next.resetAfter()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void theBurstWindowRefusesFirstAndTheReportedWindowIsTheTightest() {
        RateLimitCounters counters = replica();
        String subject = someone();
        Window burst = new Window("generate-burst", 3, Duration.ofSeconds(10));
        Window minute = new Window("generate", 5, Duration.ofMinutes(1));
        List<Window> policy = List.of(burst, minute);

        Decision firstCall = counters.take(subject, policy);
        assertThat(firstCall.window()).isEqualTo(burst);
        assertThat(firstCall.remaining()).isEqualTo(2);
        counters.take(subject, policy);
        counters.take(subject, policy);
        Decision refused = counters.take(subject, policy);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.window()).isEqualTo(burst);
        assertThat(refused.resetAfter()).isEqualTo(Duration.ofSeconds(5));

        clock.advance(Duration.ofSeconds(5)); // 12:00:20, a new burst window; the minute has 2 left
        assertThat(counters.take(subject, policy).allowed()).isTrue();
        Decision last = counters.take(subject, policy);
        assertThat(last.allowed()).isTrue();
        assertThat(last.window()).isEqualTo(minute);
        assertThat(last.remaining()).isZero();
        Decision minuteFull = counters.take(subject, policy);
        assertThat(minuteFull.allowed()).isFalse();
        assertThat(minuteFull.window()).isEqualTo(minute);
        assertThat(minuteFull.resetAfter()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void theCounterItemCarriesItsTypeAndATtlAfterTheWindowEnds() {
        String subject = someone();
        replica().take(subject, List.of(TEN_PER_MINUTE));

        var item = TestDynamo.client()
                .getItem(b -> b.tableName(TABLE)
                        .key(Keys.key(
                                subject,
                                "RATE#user#60#"
                                        + Instant.parse("2026-01-01T12:00:00Z").getEpochSecond())))
                .item();
        assertThat(item)
                .containsEntry("type", Items.s("ratelimit"))
                .containsEntry("count", Items.n(1))
                .containsEntry(
                        "ttl", Items.n(Instant.parse("2026-01-01T12:02:00Z").getEpochSecond()));
        assertThat(Map.copyOf(item)).hasSize(5);
    }
}
