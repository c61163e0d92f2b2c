package com.figureforge.app.generation;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A job as clients see it.
 *
 * @param request the structured request as accepted (with defaults filled in)
 * @param progress live detail from the workflow while the job runs, else null
 * @param chargedImages images the job counts against the quota: the reservation while it runs, what
 *     stays charged once it ended
 * @param refunded once the job ended: whether any of its reservation was given back (false for a
 *     cancel after fal started the work); null while it runs
 */
public record JobView(
        String jobId,
        String status,
        JsonNode request,
        String prompt,
        List<ImageView> images,
        JobError error,
        Progress progress,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        int chargedImages,
        Boolean refunded) {

    public record JobError(String code, String message) {}

    /**
     * @param falStatus the model provider's state: IN_QUEUE, IN_PROGRESS or COMPLETED
     */
    public record Progress(String falStatus, Integer queuePosition, int imagesStored, int imagesExpected) {}
}
