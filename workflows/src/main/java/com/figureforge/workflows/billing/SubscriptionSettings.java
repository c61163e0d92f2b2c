package com.figureforge.workflows.billing;

import java.time.Duration;

/**
 * Tunables of a subscription workflow, fixed at start and carried across continue-as-new. A zero
 * value means the default, so {@code new SubscriptionSettings(0, 0, 0)} is the defaults.
 *
 * @param gracePeriodSeconds how long a {@code past_due} subscription keeps its paid plan (default 7 days)
 * @param maxEventsPerRun events (and scheduled checks) handled before the run continues as new, even if
 *     Temporal has not suggested it yet (default 500)
 * @param recentEventIdsKept how many recent event ids are remembered for deduplication (default 1000)
 */
public record SubscriptionSettings(long gracePeriodSeconds, int maxEventsPerRun, int recentEventIdsKept) {

    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofDays(7);
    public static final int DEFAULT_MAX_EVENTS_PER_RUN = 500;
    public static final int DEFAULT_RECENT_EVENT_IDS_KEPT = 1000;

    public SubscriptionSettings {
        if (gracePeriodSeconds < 0 || maxEventsPerRun < 0 || recentEventIdsKept < 0) {
            throw new IllegalArgumentException("settings must not be negative");
        }
        gracePeriodSeconds = gracePeriodSeconds == 0 ? DEFAULT_GRACE_PERIOD.toSeconds() : gracePeriodSeconds;
        maxEventsPerRun = maxEventsPerRun == 0 ? DEFAULT_MAX_EVENTS_PER_RUN : maxEventsPerRun;
        recentEventIdsKept = recentEventIdsKept == 0 ? DEFAULT_RECENT_EVENT_IDS_KEPT : recentEventIdsKept;
    }

    public static SubscriptionSettings defaults() {
        return new SubscriptionSettings(0, 0, 0);
    }

    public static SubscriptionSettings withGracePeriod(Duration gracePeriod) {
        return new SubscriptionSettings(gracePeriod.toSeconds(), 0, 0);
    }

    public Duration gracePeriod() {
        return Duration.ofSeconds(gracePeriodSeconds);
    }
}
