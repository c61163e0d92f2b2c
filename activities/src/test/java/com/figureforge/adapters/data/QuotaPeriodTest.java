package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class QuotaPeriodTest {

    @Test
    void calendarMonthIsTheUtcMonth() {
        QuotaPeriod period = QuotaPeriod.calendarMonth(Instant.parse("2026-11-30T23:59:59.999Z"));

        assertThat(period.key()).isEqualTo("2026-11");
        assertThat(period.start()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(period.end()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(period.contains(Instant.parse("2026-11-01T00:00:00Z"))).isTrue();
        assertThat(period.contains(Instant.parse("2026-12-01T00:00:00Z"))).isFalse();
    }

    @Test
    void calendarMonthRollsOverTheYear() {
        assertThat(QuotaPeriod.calendarMonth(Instant.parse("2026-12-31T23:59:59Z"))
                        .end())
                .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(QuotaPeriod.calendarMonth(Instant.parse("2027-01-01T00:00:00Z"))
                        .key())
                .isEqualTo("2027-01");
    }

    @Test
    void billingPeriodIsKeyedByItsUtcStartDate() {
        Instant start = Instant.parse("2026-11-14T17:30:00Z");
        Instant end = Instant.parse("2026-12-14T17:30:00Z");

        QuotaPeriod period = QuotaPeriod.billingPeriod(start, end);

        assertThat(period.key()).isEqualTo("2026-11-14");
        assertThat(period.start()).isEqualTo(start);
        assertThat(period.end()).isEqualTo(end);
    }
}
