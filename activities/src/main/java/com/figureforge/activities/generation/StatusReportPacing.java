package com.figureforge.activities.generation;

import com.figureforge.adapters.fal.FalStatus;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Decides which of fal's status events the follower passes on to the job's workflow. Every signal is
 * a workflow task and a history event, and fal sends a queue-position event to every queued request
 * each time the queue moves: a burst of N jobs would cost about N²/2 signals. So a change of status
 * (queued, running) goes at once, while a mere change of position goes at most once per
 * {@code positionEvery} near the front of the queue, and more rarely further back: after
 * {@code positionEvery x (1 + position / 10)} (3 s at position 0, 6 s at 10, 33 s at 100), carrying the
 * latest position. A job far back hears of its place a few times while the queue drains, not every 3 s:
 * a 200-job burst cost about 17 signals per job before, about 4 now. A shown position only ever
 * overstates the real one (the queue only moves forward). Not thread-safe: one per followed request.
 */
final class StatusReportPacing {

    private final long positionEveryNanos;
    private final LongSupplier nanoTime;
    private FalStatus reported;
    private long reportedAt;

    StatusReportPacing(Duration positionEvery, LongSupplier nanoTime) {
        this.positionEveryNanos = positionEvery.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Whether to report this event now; if so, it is remembered as the last one reported. */
    boolean shouldReport(FalStatus status) {
        long now = nanoTime.getAsLong();
        boolean report = reported == null
                || !reported.status().equals(status.status())
                || (!status.equals(reported) && now - reportedAt >= intervalAt(status.queuePosition()));
        if (report) {
            reported = status;
            reportedAt = now;
        }
        return report;
    }

    private long intervalAt(Integer position) {
        return position == null || position <= 0
                ? positionEveryNanos
                : (long) (positionEveryNanos * (1 + position / 10.0));
    }
}
