package com.figureforge.workflows.generation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Storage side of a generation job: S3 copies and the job, image and quota records in DynamoDB.
 * Runs on {@link com.figureforge.workflows.TaskQueues#STORAGE}. Every method is idempotent: keys
 * derive from the job id, writes are conditional, and the quota ledger refunds a job at most once.
 */
@ActivityInterface
public interface JobStoreActivities {

    /** Marks the job running (only if still queued). */
    @ActivityMethod
    MarkRunningOutput markRunning(MarkRunningInput input);

    /**
     * Downloads one image from fal, checks its type and size, and stores it with a thumbnail at keys
     * derived from job and index; a retry finds the objects and does not write a second copy.
     * Fails with {@code IMAGE_REJECTED} when the bytes are not an acceptable image.
     */
    @ActivityMethod
    StoreImageOutput storeImage(StoreImageInput input);

    /**
     * Records the job as succeeded with its stored images (or, if it ended otherwise meanwhile, removes
     * them), frees the in-flight slot, and refunds the images the safety checker blocked.
     */
    @ActivityMethod
    CompleteJobOutput completeJob(CompleteJobInput input);

    /**
     * Records the job as failed or canceled and frees the in-flight slot; gives back the whole reservation
     * unless {@code keepCharge} (a cancel after fal started the work, which fal bills).
     */
    @ActivityMethod
    FailJobOutput failJob(FailJobInput input);

    /**
     * Earlier workflow code also sent {@code falRequestId}, which nothing read; ignoring unknown
     * properties lets a task such a run scheduled before a deploy still be decoded afterwards.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record MarkRunningInput(String jobId) {}

    record MarkRunningOutput(JobStatus status) {}

    record StoreImageInput(String jobId, String userId, int index, FalImage source, long seed) {}

    record StoreImageOutput(StoredImage image) {}

    record CompleteJobInput(String jobId, String userId, List<StoredImage> images, int blockedCount) {}

    record CompleteJobOutput(JobStatus status, int refunded) {}

    /** @param keepCharge true when fal did billable work: the reservation stays charged */
    record FailJobInput(
            String jobId, String userId, JobStatus status, String errorCode, String errorMessage, boolean keepCharge) {}

    record FailJobOutput(JobStatus status, int refunded) {}
}
