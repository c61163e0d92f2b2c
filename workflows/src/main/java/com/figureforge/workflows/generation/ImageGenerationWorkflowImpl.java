package com.figureforge.workflows.generation;

import com.figureforge.workflows.FailureChain;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.RetryPolicies;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.generation.FalActivities.CancelInput;
import com.figureforge.workflows.generation.FalActivities.CheckStatusInput;
import com.figureforge.workflows.generation.FalActivities.CheckStatusOutput;
import com.figureforge.workflows.generation.FalActivities.FetchResultInput;
import com.figureforge.workflows.generation.FalActivities.FetchResultOutput;
import com.figureforge.workflows.generation.FalActivities.SubmitInput;
import com.figureforge.workflows.generation.JobStoreActivities.CompleteJobInput;
import com.figureforge.workflows.generation.JobStoreActivities.FailJobInput;
import com.figureforge.workflows.generation.JobStoreActivities.MarkRunningInput;
import com.figureforge.workflows.generation.JobStoreActivities.StoreImageInput;
import com.figureforge.workflows.generation.JobStoreActivities.StoreImageOutput;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * Drives one generation job. The rules that keep it honest:
 *
 * <ul>
 *   <li>fal is asked once per job: the submit activity persists the request id before it returns,
 *       so a retry finds it instead of submitting again.
 *   <li>Every way out but success ends in {@code failJob}, which refunds the reservation at most once,
 *       and in a fal cancel when a request may still be running (it would otherwise bill us).
 *   <li>Cleanup after a cancel runs in a detached scope: the canceled scope would refuse to schedule
 *       the very activities that refund the user.
 * </ul>
 */
public class ImageGenerationWorkflowImpl implements ImageGenerationWorkflow {

    private static final Logger log = Workflow.getLogger(ImageGenerationWorkflowImpl.class);

    /** Status polling starts quick (fal often finishes in seconds) and backs off to a ceiling. */
    static final Duration FIRST_POLL = Duration.ofSeconds(1);

    static final Duration MAX_POLL = Duration.ofSeconds(10);
    private static final double POLL_BACKOFF = 1.5;

    private static final RetryOptions FAL_RETRY = RetryPolicies.backingOffTo(Duration.ofSeconds(30));

    /** Storage retries without limit: DynamoDB and S3 outages pass, and giving up would lose the job. */
    private static final RetryOptions STORAGE_RETRY = RetryPolicies.STORAGE;

    private JobStatus status = JobStatus.QUEUED;
    private FalSubmission submission;
    private String falStatus;
    private Integer queuePosition;
    private int imagesStored;
    private int imagesExpected;
    private String errorCode;

    @Override
    public ImageGenerationResult generate(ImageGenerationInput input) {
        imagesExpected = input.request().numImages();
        Duration deadline = Duration.ofSeconds(input.deadlineSeconds());
        details("Queued: " + imagesExpected + " image(s) with "
                + input.request().modelId());
        try {
            submission = fal("Submit to fal", deadline)
                    .submit(new SubmitInput(input.jobId(), input.request()))
                    .submission();
            store("Mark job running").markRunning(new MarkRunningInput(input.jobId(), submission.requestId()));
            setStatus(JobStatus.RUNNING);
            details("Submitted to fal as " + submission.requestId());

            awaitCompletion(input, deadline);

            FetchResultOutput output =
                    fal("Fetch fal result", deadline).fetchResult(new FetchResultInput(input.jobId(), submission));
            List<StoredImage> stored = storeImages(input, output);
            int blocked = output.images().size() - stored.size();
            var completed = store("Record images and finish job")
                    .completeJob(new CompleteJobInput(input.jobId(), input.userId(), stored, blocked));
            setStatus(completed.status());
            if (completed.status() != JobStatus.SUCCEEDED) {
                errorCode = JobErrorCode.IMAGES_BLOCKED;
            }
            details("Finished: " + stored.size() + " stored, " + blocked + " blocked by the safety checker");
            return new ImageGenerationResult(
                    input.jobId(),
                    completed.status(),
                    stored,
                    errorCode,
                    blocked > 0 ? "blocked images refunded" : null);
        } catch (TemporalFailure failure) {
            if (CancellationScope.current().isCancelRequested()
                    || FailureChain.contains(failure, CanceledFailure.class)) {
                cleanUpAfterCancel(input);
                throw failure;
            }
            return failJob(input, failure);
        }
    }

    @Override
    public GenerationProgress progress() {
        return new GenerationProgress(
                status,
                submission == null ? null : submission.requestId(),
                falStatus,
                queuePosition,
                imagesStored,
                imagesExpected,
                errorCode);
    }

    private void awaitCompletion(ImageGenerationInput input, Duration deadline) {
        long deadlineAt = Workflow.currentTimeMillis() + deadline.toMillis();
        Duration wait = FIRST_POLL;
        while (true) {
            CheckStatusOutput check =
                    fal("Check fal status", deadline).checkStatus(new CheckStatusInput(input.jobId(), submission));
            falStatus = check.status();
            queuePosition = check.queuePosition();
            if (check.completed()) {
                return;
            }
            details(
                    check.queuePosition() != null
                            ? "fal: " + check.status() + ", queue position " + check.queuePosition()
                            : "fal: " + check.status());
            long remaining = deadlineAt - Workflow.currentTimeMillis();
            if (remaining <= 0) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "fal did not finish within " + deadline, JobErrorCode.TIMEOUT);
            }
            Workflow.sleep(Duration.ofMillis(Math.min(wait.toMillis(), remaining)));
            wait = Duration.ofMillis(Math.min((long) (wait.toMillis() * POLL_BACKOFF), MAX_POLL.toMillis()));
        }
    }

    /** Copies the images the safety checker let through, in parallel; blocked ones are skipped. */
    private List<StoredImage> storeImages(ImageGenerationInput input, FetchResultOutput output) {
        List<Promise<StoreImageOutput>> pending = new ArrayList<>();
        for (int index = 0; index < output.images().size(); index++) {
            boolean blocked = index < output.nsfw().size()
                    && Boolean.TRUE.equals(output.nsfw().get(index));
            if (blocked) {
                continue;
            }
            StoreImageInput store = new StoreImageInput(
                    input.jobId(), input.userId(), index, output.images().get(index), output.seed());
            pending.add(Async.function(store("Copy image " + index + " to S3")::storeImage, store));
        }
        List<StoredImage> stored = new ArrayList<>();
        for (Promise<StoreImageOutput> promise : pending) {
            stored.add(promise.get().image());
            imagesStored = stored.size();
        }
        return stored;
    }

    private ImageGenerationResult failJob(ImageGenerationInput input, TemporalFailure failure) {
        String type = FailureChain.applicationType(failure).orElse(null);
        if (FailureType.JOB_NOT_FOUND.name().equals(type)) {
            // The job was deleted under us (account deletion): stop fal and leave no record behind.
            cancelFalRequest(input);
            setStatus(JobStatus.FAILED);
            return new ImageGenerationResult(input.jobId(), JobStatus.FAILED, List.of(), type, "job deleted");
        }
        errorCode = errorCodeFor(type, failure);
        String message = FailureChain.rootMessage(failure);
        log.warn("Job {} failed ({}): {}", input.jobId(), errorCode, message);
        if (!JobErrorCode.CONTENT_POLICY.equals(errorCode)) {
            // A refused submit never started a request; anything else may still be running at fal.
            cancelFalRequest(input);
        }
        store("Fail job and refund")
                .failJob(new FailJobInput(input.jobId(), input.userId(), JobStatus.FAILED, errorCode, message));
        setStatus(JobStatus.FAILED);
        details("Failed: " + errorCode + " (" + message + ")");
        return new ImageGenerationResult(input.jobId(), JobStatus.FAILED, List.of(), errorCode, message);
    }

    private void cleanUpAfterCancel(ImageGenerationInput input) {
        Workflow.newDetachedCancellationScope(() -> {
                    errorCode = JobErrorCode.CANCELED;
                    cancelFalRequest(input);
                    store("Cancel job and refund")
                            .failJob(new FailJobInput(
                                    input.jobId(),
                                    input.userId(),
                                    JobStatus.CANCELED,
                                    JobErrorCode.CANCELED,
                                    "canceled by the owner"));
                    setStatus(JobStatus.CANCELED);
                    details("Canceled by the owner");
                })
                .run();
    }

    /** Best effort: a fal cancel that fails must not keep the refund from happening. */
    private void cancelFalRequest(ImageGenerationInput input) {
        try {
            fal("Cancel fal request", Duration.ofMinutes(2)).cancel(new CancelInput(input.jobId(), submission));
        } catch (ActivityFailure e) {
            log.warn("Could not cancel the fal request of job {}: {}", input.jobId(), FailureChain.rootMessage(e));
        }
    }

    private static String errorCodeFor(String type, Throwable failure) {
        if (JobErrorCode.TIMEOUT.equals(type)
                || (type == null && FailureChain.contains(failure, TimeoutFailure.class))) {
            return JobErrorCode.TIMEOUT;
        }
        if (FailureType.FAL_INPUT_REJECTED.name().equals(type)) {
            return JobErrorCode.CONTENT_POLICY;
        }
        if (FailureType.IMAGE_REJECTED.name().equals(type)) {
            return JobErrorCode.IMAGE_REJECTED;
        }
        return JobErrorCode.GENERATION_FAILED;
    }

    private void setStatus(JobStatus next) {
        status = next;
        Workflow.upsertTypedSearchAttributes(FigureForgeSearchAttributes.JOB_STATUS.valueSet(next.wire()));
    }

    private static void details(String text) {
        Workflow.setCurrentDetails(text);
    }

    /**
     * fal calls share one deadline: retries of a flaky fal stop when the job would have timed out
     * anyway. The submit waits for its cancellation to complete so a cancel never races the request
     * id being persisted.
     */
    private static FalActivities fal(String summary, Duration deadline) {
        return Workflow.newActivityStub(
                FalActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.FAL)
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setScheduleToCloseTimeout(deadline)
                        .setRetryOptions(FAL_RETRY)
                        .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                        .setSummary(summary)
                        .build());
    }

    private static JobStoreActivities store(String summary) {
        return Workflow.newActivityStub(
                JobStoreActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.STORAGE)
                        .setStartToCloseTimeout(Duration.ofMinutes(2))
                        .setRetryOptions(STORAGE_RETRY)
                        .setSummary(summary)
                        .build());
    }
}
