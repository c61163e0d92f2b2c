package com.figureforge.adapters.data;

import com.figureforge.workflows.generation.JobStatus;
import com.figureforge.workflows.generation.StoredImage;
import java.util.List;
import java.util.Objects;

/**
 * How a job ended, decided in one conditional write of its record: the final status, its images, the
 * error, and how many of its reserved images are given back. Storing the refund with the status is what
 * lets any path (a retried activity, the API's reconciler) finish the settlement the same way.
 *
 * @param images the stored images of a succeeded job, kept with the decision so the job shows them
 *     the moment it succeeds; empty otherwise
 * @param refundedImages images of the reservation given back (0 = the whole reservation is charged)
 */
public record JobOutcome(
        JobStatus status, List<StoredImage> images, String errorCode, String errorMessage, int refundedImages) {

    public JobOutcome {
        Objects.requireNonNull(status, "status");
        if (!status.finished()) {
            throw new IllegalArgumentException("not a finished status: " + status);
        }
        if (refundedImages < 0) {
            throw new IllegalArgumentException("refundedImages must be >= 0");
        }
        images = images == null ? List.of() : List.copyOf(images);
    }

    public static JobOutcome succeeded(List<StoredImage> images, int refundedImages) {
        return new JobOutcome(JobStatus.SUCCEEDED, images, null, null, refundedImages);
    }

    /** A failed or canceled job: no images. */
    public static JobOutcome ended(JobStatus status, String errorCode, String errorMessage, int refundedImages) {
        return new JobOutcome(status, List.of(), errorCode, errorMessage, refundedImages);
    }
}
