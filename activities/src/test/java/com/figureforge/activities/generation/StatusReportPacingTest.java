package com.figureforge.activities.generation;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.fal.FalStatus;
import java.time.Duration;
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
    void positionChangesAreReportedAtMostOncePerIntervalWithTheLatestPosition() {
        assertThat(pacing.shouldReport(new FalStatus(FalStatus.IN_QUEUE, 40))).isTrue();
        int reported = 0;
        Integer lastReported = null;
        // the queue moves every 250 ms for 10 s: 40 events
        for (int position = 39; position >= 0; position--) {
            advance(Duration.ofMillis(250));
            if (pacing.shouldReport(new FalStatus(FalStatus.IN_QUEUE, position))) {
                reported++;
                lastReported = position;
            }
        }
        // one report per 3 s (at 3, 6 and 9 s), each with the position of that moment
        assertThat(reported).isEqualTo(3);
        assertThat(lastReported).isEqualTo(4);
    }

    @Test
    void anUnchangedEventIsNeverReportedAgain() {
        assertThat(pacing.shouldReport(new FalStatus(FalStatus.IN_QUEUE, 2))).isTrue();
        advance(Duration.ofSeconds(10));
        assertThat(pacing.shouldReport(new FalStatus(FalStatus.IN_QUEUE, 2))).isFalse();
    }
}
