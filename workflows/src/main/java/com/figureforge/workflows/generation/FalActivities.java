package com.figureforge.workflows.generation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Calls to the fal.ai queue API. Runs on {@link com.figureforge.workflows.TaskQueues#FAL}, whose
 * worker caps concurrency and rate at what the fal account allows.
 *
 * <p>Failures carry a {@link com.figureforge.workflows.FailureType} name: {@code FAL_INPUT_REJECTED}
 * (422) and {@code FAL_REQUEST_FAILED} are final, {@code FAL_UNAVAILABLE} (5xx, 429, I/O) is retried.
 */
@ActivityInterface
public interface FalActivities {

    /**
     * Submits the request once per job: the request id is persisted with the job before this returns,
     * and a retry (after a lost reply or a crash) returns the persisted submission instead of
     * submitting again. Registers fal's completion webhook when a public callback URL is configured,
     * and marks the job running when asked (idempotent: only a queued job changes).
     */
    @ActivityMethod
    SubmitOutput submit(SubmitInput input);

    @ActivityMethod
    CheckStatusOutput checkStatus(CheckStatusInput input);

    @ActivityMethod
    FetchResultOutput fetchResult(FetchResultInput input);

    /**
     * Cancels the job's fal request, if one was submitted (looked up by job id when {@code submission}
     * is null), and reports whether fal had started the work, which fal bills. Harmless when the
     * request already finished or was never made.
     */
    @ActivityMethod
    CancelOutput cancel(CancelInput input);

    /**
     * @param markRunning also move the job to running once fal accepted it (one round trip instead of a
     *     separate storage step); false in runs recorded before that change
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record SubmitInput(String jobId, FalImageRequest request, boolean markRunning) {
        public SubmitInput(String jobId, FalImageRequest request) {
            this(jobId, request, false);
        }
    }

    /**
     * @param webhookRegistered fal was asked to call our webhook when the request finishes: the workflow
     *     waits for that signal (with a slow poll as a safety net) instead of streaming the status
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record SubmitOutput(FalSubmission submission, boolean webhookRegistered) {
        public SubmitOutput(FalSubmission submission) {
            this(submission, false);
        }
    }

    record CheckStatusInput(String jobId, FalSubmission submission) {}

    /**
     * @param status fal's {@code IN_QUEUE}, {@code IN_PROGRESS} or {@code COMPLETED}
     * @param queuePosition position while queued, else null
     */
    record CheckStatusOutput(String status, Integer queuePosition) {
        public boolean completed() {
            return "COMPLETED".equals(status);
        }
    }

    record FetchResultInput(String jobId, FalSubmission submission) {}

    /** @param nsfw fal's {@code has_nsfw_concepts}, one flag per image (empty when unknown) */
    record FetchResultOutput(List<FalImage> images, long seed, List<Boolean> nsfw) {}

    record CancelInput(String jobId, FalSubmission submission) {}

    /**
     * @param canceled true when fal accepted the cancel
     * @param workStarted true when fal had started the work (it runs or ran to completion): fal bills it
     * @param submission the request canceled, when there was one
     */
    record CancelOutput(boolean requested, boolean canceled, boolean workStarted, FalSubmission submission) {}
}
