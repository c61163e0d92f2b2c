package com.figureforge.adapters.data;

import com.figureforge.workflows.generation.FalSubmission;
import com.figureforge.workflows.generation.JobStatus;
import com.figureforge.workflows.generation.StoredImage;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A generation job as stored: item {@code JOB#{jobId}} / {@code JOB}, listed under its owner in
 * {@code gsi2} ({@code USER#{userId}} / {@code JOB#{millis}#{jobId}}).
 *
 * @param requestJson the structured request as the client sent it (validated), as JSON
 * @param prompt the final model prompt built from the request
 * @param quotaPeriod the quota period key the images were reserved against (refunds go there)
 * @param falSubmission fal.ai's answer to the submit, {@code null} until submitted
 * @param imageIds ids of the stored images, in order (empty until the job succeeds)
 * @param refundedImages images of the reservation given back when the job ended; {@code null} while it
 *     runs (and for jobs that ended before this was recorded)
 * @param storedImages the images of a succeeded job as decided with its status (empty for jobs that
 *     succeeded before they were kept here: read their image items by {@code imageIds})
 */
public record JobRecord(
        String jobId,
        String userId,
        JobStatus status,
        String requestJson,
        String prompt,
        int numImages,
        String visibility,
        String quotaPeriod,
        FalSubmission falSubmission,
        List<String> imageIds,
        String errorCode,
        String errorMessage,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Integer refundedImages,
        List<StoredImage> storedImages) {

    public JobRecord {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(status, "status");
        imageIds = imageIds == null ? List.of() : List.copyOf(imageIds);
        storedImages = storedImages == null ? List.of() : List.copyOf(storedImages);
    }

    /**
     * Images this job is charged for: the reservation less what was given back. Jobs that ended before
     * refunds were recorded with the status were charged when they succeeded and refunded otherwise.
     */
    public int chargedImages() {
        if (!status.finished()) {
            return numImages;
        }
        if (refundedImages != null) {
            return Math.max(0, numImages - refundedImages);
        }
        return status == JobStatus.SUCCEEDED ? imageIds.size() : 0;
    }

    /** A new job in state {@code queued}. */
    public static JobRecord queued(
            String jobId,
            String userId,
            String requestJson,
            String prompt,
            int numImages,
            String visibility,
            String quotaPeriod,
            Instant createdAt) {
        return new JobRecord(
                jobId,
                userId,
                JobStatus.QUEUED,
                requestJson,
                prompt,
                numImages,
                visibility,
                quotaPeriod,
                null,
                List.of(),
                null,
                null,
                createdAt,
                null,
                null,
                null,
                List.of());
    }
}
