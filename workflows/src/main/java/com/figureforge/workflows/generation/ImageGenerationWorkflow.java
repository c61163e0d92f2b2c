package com.figureforge.workflows.generation;

import io.temporal.workflow.QueryMethod;
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

    /** Live state for the API and the Web UI. */
    @QueryMethod
    GenerationProgress progress();

    /**
     * @param deadlineSeconds how long fal may take from submit to completion before the job times out
     */
    record ImageGenerationInput(String jobId, String userId, FalImageRequest request, long deadlineSeconds) {}

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
