package com.figureforge.app.generation;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A variation set as clients see it: one entry per value, in the order asked, each with its job's
 * status and images as they arrive.
 *
 * @param request the base request as accepted (defaults filled in, the shared seed), without the swept control
 * @param status {@code running} while any job has not finished, then {@code finished}
 * @param chargedImages images the set counts against the quota now: the reservation while jobs run,
 *     what stays charged once they ended
 */
public record VariationSetView(
        String setId,

        @Schema(allowableValues = {"camera_angle", "lighting", "pose", "body_type"})
        String vary,

        List<String> values,
        long seed,
        int numImages,
        @Schema(allowableValues = {"running", "finished"}) String status,
        int chargedImages,
        JsonNode request,
        Instant createdAt,
        List<Variation> jobs) {

    /**
     * One value of the set and its job.
     *
     * @param status the job's status (as in GET /api/images/job/{job_id}/)
     */
    public record Variation(
            String value, String jobId, String status, String prompt, List<ImageView> images, JobView.JobError error) {}
}
