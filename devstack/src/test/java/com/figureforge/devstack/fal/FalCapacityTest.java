package com.figureforge.devstack.fal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The emulated account concurrency: requests beyond it wait in the queue for a free slot. */
class FalCapacityTest {

    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

    @Test
    void requestsBeyondTheConcurrencyWaitForTheEarliestFreeSlot() {
        var faults = new FalFaults(Duration.ofMillis(100), Duration.ofSeconds(2));
        faults.setConcurrency(2);

        assertThat(faults.queueTimeAt(T0)).isEqualTo(Duration.ofMillis(100));
        assertThat(faults.queueTimeAt(T0)).isEqualTo(Duration.ofMillis(100));
        // Both slots run until T0 + 2.1 s: the third starts then, the fourth too (second slot).
        assertThat(faults.queueTimeAt(T0.plusMillis(500))).isEqualTo(Duration.ofMillis(1600));
        assertThat(faults.queueTimeAt(T0.plusMillis(500))).isEqualTo(Duration.ofMillis(1600));
        // Once a slot is free again, only the queue latency is left.
        assertThat(faults.queueTimeAt(T0.plusSeconds(10))).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void withoutALimitEveryRequestOnlyQueuesForTheLatency() {
        var faults = new FalFaults(Duration.ofMillis(100), Duration.ofSeconds(2));
        for (int i = 0; i < 50; i++) {
            assertThat(faults.queueTimeAt(T0)).isEqualTo(Duration.ofMillis(100));
        }
    }
}
