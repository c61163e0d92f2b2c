package com.figureforge.adapters.data;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A quota period: the key its counter is stored under plus its bounds.
 *
 * <ul>
 *   <li>free plan: the calendar month in UTC, key {@code 2026-11};
 *   <li>paid plans: the Stripe billing period, key = its start date in UTC, {@code 2026-11-14}. Two
 *       periods starting on the same day share a counter, so re-subscribing within a day does not reset
 *       the quota.
 * </ul>
 *
 * The two key shapes cannot collide.
 */
public record QuotaPeriod(String key, Instant start, Instant end) {

    public QuotaPeriod {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) {
            throw new IllegalArgumentException("key must not be blank");
        }
    }

    /** The calendar month (UTC) containing {@code at}. */
    public static QuotaPeriod calendarMonth(Instant at) {
        YearMonth month = YearMonth.from(at.atZone(ZoneOffset.UTC));
        return new QuotaPeriod(
                month.toString(),
                month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
                month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    /** A paid plan's billing period, as Stripe reports it. */
    public static QuotaPeriod billingPeriod(Instant start, Instant end) {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        return new QuotaPeriod(LocalDate.ofInstant(start, ZoneOffset.UTC).toString(), start, end);
    }

    /** Whether {@code at} lies in this period ({@code start <= at < end}). */
    public boolean contains(Instant at) {
        return !at.isBefore(start) && at.isBefore(end);
    }
}
