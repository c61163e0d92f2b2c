package com.figureforge.app.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {

    @Test
    void anIdCarriesTheMillisecondItWasIssuedAt() {
        Instant at = Instant.parse("2026-11-25T17:00:00.123Z");
        String id = JobIds.issue(at);

        assertThat(UUID.fromString(id).version()).isEqualTo(7);
        assertThat(UUID.fromString(id).variant()).isEqualTo(2);
        assertThat(JobIds.issuedAt(id)).contains(at);
    }

    @Test
    void idsIssuedTogetherAreDistinct() {
        Instant at = Instant.now();
        assertThat(JobIds.issue(at)).isNotEqualTo(JobIds.issue(at));
    }

    @Test
    void foreignIdsHaveNoIssueTime() {
        assertThat(JobIds.issuedAt(UUID.randomUUID().toString())).isEmpty();
        assertThat(JobIds.issuedAt("not-a-uuid")).isEmpty();
    }
}
