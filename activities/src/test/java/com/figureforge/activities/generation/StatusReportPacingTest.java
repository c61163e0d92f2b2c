package com.figureforge.activities.generation;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.fal.FalStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StatusReportPacingTest {

    private final AtomicLong now = new AtomicLong();
    private final StatusReportPacing pacing = new StatusReportPacing(Duration.ofSeconds(3), now::get);

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void theFirstEventAndEveryChangeOfStatusAreReportedAtOnce() {
        assertThat(pacing.shouldReport(new FalStatus(FalStatus.IN_QUEUE, 7))).isTrue();
        advance(Duration.ofMillis(10));
        assertThat(pacing.shouldReport(new FalStatus(FalStatus.IN_PROGRESS, null)))
                .isTrue();
        advance(Duration.ofMillis(10));
        assertThat(pacing.shouldReport(new FalStatus(FalStatus.IN_QUEUE, 0))).isTrue();
    }

    @Test
    void nearTheFrontPositionChangesAreReportedAboutEveryIntervalWithTheLatestPosition() {
        assertThat(pacing.shouldReport(new FalStatus(FalStatus.IN_QUEUE, 8))).isTrue();
        List<String> reports = drain(8, Duration.ofSeconds(1));
        // after 3 s x (1 + position / 10): position 3 at 5 s (4.1 s needed), position 0 at 8 s (3 s needed)
        assertThat(reports).containsExactly("3 at 5000 ms", "0 at 8000 ms");
    }

    @Test
    void furtherBackThePositionIsReportedMoreRarely() {
        assertThat(pacing.shouldReport(new FalStatus(FalStatus.IN_QUEUE, 200))).isTrue();
        // a 200-job queue draining at 4 jobs/s for 50 s: every 3 s would have been 16 more signals
        List<String> reports = drain(200, Duration.ofMillis(250));
        assertThat(reports).containsExactly("85 at 28750 ms", "33 at 41750 ms", "9 at 47750 ms");
    }

    /** The queue moves one place per {@code step} from {@code from} to 0; returns the reports made. */
    private List<String> drain(int from, Duration step) {
        List<String> reports = new ArrayList<>();
        long start = now.get();
        for (int position = from - 1; position >= 0; position--) {
            advance(step);
            if (pacing.shouldReport(new FalStatus(FalStatus.IN_QUEUE, position))) {
                reports.add(
                        position + " at " + Duration.ofNanos(now.get() - start).toMillis() + " ms");
            }
        }
        return reports;
    }

    @Test
    void anUnchangedEventIsNeverReportedAgain() {
        assertThat(pacing.shouldReport(new FalStatus(FalStatus.IN_QUEUE, 2))).isTrue();
        advance(Duration.ofSeconds(10));
        assertThat(pacing.shouldReport(new FalStatus(FalStatus.IN_QUEUE, 2))).isFalse();
    }
}
