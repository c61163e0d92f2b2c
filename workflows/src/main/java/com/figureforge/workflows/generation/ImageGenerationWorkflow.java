package com.figureforge.workflows.generation;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * One run per generation job, id {@code image-generation/<job>}: submit to fal, follow the request
 * to completion, copy the images into S3, record them, and on failure, timeout or cancellation cancel
 * the fal request and refund the quota. Cancel a job by canceling the workflow.
 */
@WorkflowInterface
public interface ImageGenerationWorkflow {

    @WorkflowMethod
    ImageGenerationResult generate(ImageGenerationInput input);

    /**
     * fal reported the request finished (its verified completion webhook). Idempotent: a repeated
     * delivery changes nothing.
     */
    @SignalMethod
    void falCompleted(FalCompletion completion);

    /**
     * fal's status as the status stream saw it change (sent by the stream activity): live progress for
     * the API, and {@code IN_PROGRESS} tells that fal bills the work. The end of the wait is the activity's
     * own completion, not this signal.
     */
    @SignalMethod
    void falStatusChanged(FalStatusUpdate update);

    /** Live state for the API and the Web UI. */
    @QueryMethod
    GenerationProgress progress();

    /**
     * @param deadlineSeconds how long fal may take from submit to completion before the job times out
     */
    record ImageGenerationInput(String jobId, String userId, FalImageRequest request, long deadlineSeconds) {}

    /**
     * @param requestId the fal request the webhook was signed for
     * @param ok fal's webhook status {@code OK}; false for {@code ERROR} (the result fetch then tells why)
     */
    record FalCompletion(String requestId, boolean ok) {}

    /** @param queuePosition fal's queue position while {@code IN_QUEUE}, else null */
    record FalStatusUpdate(String requestId, String status, Integer queuePosition) {}

    record ImageGenerationResult(
            String jobId, JobStatus status, List<StoredImage> images, String errorCode, String errorMessage) {}

    /**
     * @param falStatus fal's last reported status, null before submit
     * @param queuePosition fal's queue position while queued
     */
    record GenerationProgress(
            JobStatus status,
            String falRequestId,
            String falStatus,
            Integer queuePosition,
            int imagesStored,
            int imagesExpected,
            String errorCode) {}
}
