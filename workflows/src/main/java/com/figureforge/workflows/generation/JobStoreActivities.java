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
     * The lean finish: copies every image in {@code images} into S3 (in parallel, each as {@link #storeImage}
     * does) and then settles the job as {@link #completeJob} does, in one round trip instead of one per image
     * plus one. Idempotent: a retry skips objects already stored, and a retry after the settlement (a lost
     * reply) only completes applying the recorded decision. Heartbeats while it copies. Past
     * {@code copyUntilEpochMillis}, a copy still missing fails the step non-retryably with type
     * {@code timeout} (the job then fails and is refunded); once every copy is there, the settlement is
     * retried without limit.
     */
    @ActivityMethod
    StoreAndCompleteOutput storeImagesAndComplete(StoreAndCompleteInput input);

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

    /** One image to copy: its index in fal's answer (which fixes its keys and id) and fal's CDN URL. */
    record ImageToStore(int index, FalImage source) {}

    /**
     * @param images the images the safety checker let through
     * @param blockedCount the images it blocked (refunded)
     * @param copyUntilEpochMillis when copying gives up (the storage step bound after the step was scheduled)
     */
    record StoreAndCompleteInput(
            String jobId,
            String userId,
            List<ImageToStore> images,
            long seed,
            int blockedCount,
            long copyUntilEpochMillis) {}

    /** @param images the images stored, in index order (a job that ended otherwise keeps none of them) */
    record StoreAndCompleteOutput(JobStatus status, int refunded, List<StoredImage> images) {}

    /** @param keepCharge true when fal did billable work: the reservation stays charged */
    record FailJobInput(
            String jobId, String userId, JobStatus status, String errorCode, String errorMessage, boolean keepCharge) {}

    record FailJobOutput(JobStatus status, int refunded) {}
}
