package com.figureforge.workflows.generation;

import com.figureforge.workflows.FailureChain;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.RetryPolicies;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.generation.FalActivities.CancelInput;
import com.figureforge.workflows.generation.FalActivities.CancelOutput;
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
 *   <li>Every way out but success ends in {@code failJob}, which settles the reservation at most once,
 *       and in a fal cancel when a request may still be running (it would otherwise bill us). Quota
 *       follows cost: refunded unless the owner canceled after fal started the work.
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

    /** Version marker of the rule "a cancel after fal started is charged" (see settleAfterCancel). */
    static final String COST_AWARE_CANCEL = "cost-aware-cancel";

    private static final String SUBMIT = "Submit to fal";

    private static final RetryOptions FAL_RETRY = RetryPolicies.backingOffTo(Duration.ofSeconds(30));

    /** Storage retries back off to a minute; errors that no retry can fix stop at once (NON_RETRYABLE). */
    private static final RetryOptions STORAGE_RETRY = RetryPolicies.STORAGE;

    /**
     * How long a step before the settlement may retry (a DynamoDB or S3 outage): past it the job fails
     * and is refunded instead of holding the user's slot. The settling steps ({@code completeJob},
     * {@code failJob}) have no bound, on purpose: they decide and record the job's outcome and charge,
     * and giving up would leave both undecided; an error no retry can fix still stops them at once.
     */
    static final Duration STORAGE_STEP_BOUND = Duration.ofMinutes(30);

    private JobStatus status = JobStatus.QUEUED;
    private FalSubmission submission;
    private String falStatus;
    private Integer queuePosition;
    private int imagesStored;
    private int imagesExpected;
    private String errorCode;
    /** fal reported the work running or done: from then on fal bills it, and so do we. */
    private boolean falStarted;
    /** Runs started before the cost-aware cancel keep the old cancel path and cancellation types. */
    private boolean costAwareCancel;
    /** When following fal's request gives up (workflow time, millis). */
    private long followUntil;

    @Override
    public ImageGenerationResult generate(ImageGenerationInput input) {
        costAwareCancel = Workflow.getVersion(COST_AWARE_CANCEL, Workflow.DEFAULT_VERSION, 1) == 1;
        imagesExpected = input.request().numImages();
        Duration deadline = Duration.ofSeconds(input.deadlineSeconds());
        details("Queued: " + imagesExpected + " image(s) with "
                + input.request().modelId());
        try {
            submission = fal(SUBMIT, deadline)
                    .submit(new SubmitInput(input.jobId(), input.request()))
                    .submission();
            store("Mark job running", STORAGE_STEP_BOUND).markRunning(new MarkRunningInput(input.jobId()));
            setStatus(JobStatus.RUNNING);
            details("Submitted to fal as " + submission.requestId());

            followUntil = Workflow.currentTimeMillis() + deadline.toMillis();
            awaitCompletion(input, deadline, followUntil);
            return collectImages(input, deadline);
        } catch (TemporalFailure failure) {
            if (CancellationScope.current().isCancelRequested()
                    || FailureChain.contains(failure, CanceledFailure.class)) {
                settleAfterCancel(input, deadline);
                throw failure;
            }
            return failJob(input, failure);
        }
    }

    /** Fetches fal's result, copies the images to S3 and completes the job with them. */
    private ImageGenerationResult collectImages(ImageGenerationInput input, Duration deadline) {
        FetchResultOutput output =
                fal("Fetch fal result", deadline).fetchResult(new FetchResultInput(input.jobId(), submission));
        List<StoredImage> stored = storeImages(input, output);
        int blocked = output.images().size() - stored.size();
        var completed = store("Record images and finish job", null)
                .completeJob(new CompleteJobInput(input.jobId(), input.userId(), stored, blocked));
        setStatus(completed.status());
        if (completed.status() != JobStatus.SUCCEEDED) {
            errorCode = JobErrorCode.IMAGES_BLOCKED;
        }
        details("Finished: " + stored.size() + " stored, " + blocked + " blocked by the safety checker");
        return new ImageGenerationResult(
                input.jobId(), completed.status(), stored, errorCode, blocked > 0 ? "blocked images refunded" : null);
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

    private void awaitCompletion(ImageGenerationInput input, Duration deadline, long deadlineAt) {
        Duration wait = FIRST_POLL;
        while (true) {
            CheckStatusOutput check =
                    fal("Check fal status", deadline).checkStatus(new CheckStatusInput(input.jobId(), submission));
            falStatus = check.status();
            queuePosition = check.queuePosition();
            falStarted |= !"IN_QUEUE".equals(check.status());
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
            pending.add(Async.function(store("Copy image " + index + " to S3", STORAGE_STEP_BOUND)::storeImage, store));
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
        store("Fail job and refund", null)
                .failJob(new FailJobInput(input.jobId(), input.userId(), JobStatus.FAILED, errorCode, message, false));
        setStatus(JobStatus.FAILED);
        details("Failed: " + errorCode + " (" + message + ")");
        return new ImageGenerationResult(input.jobId(), JobStatus.FAILED, List.of(), errorCode, message);
    }

    /**
     * The owner canceled. Quota follows cost: fal bills work it started, so a cancel before fal started
     * gives the reservation back, and a cancel after keeps it charged and keeps whatever fal still
     * delivers (the job record then succeeds with those images; the run still closes as canceled, as
     * Temporal closes every run whose cancel was requested). Runs in a detached scope: the canceled
     * scope would refuse to schedule the very activities that settle the job. Runs of this workflow
     * from before this rule refunded every cancel; {@link #COST_AWARE_CANCEL} keeps their replay exact.
     */
    private void settleAfterCancel(ImageGenerationInput input, Duration deadline) {
        Workflow.newDetachedCancellationScope(() -> {
                    errorCode = JobErrorCode.CANCELED;
                    if (!costAwareCancel) {
                        cancelFalRequest(input);
                        endCanceled(input, false);
                        return;
                    }
                    CancelOutput canceled = cancelFalRequest(input);
                    boolean billed = falStarted || (canceled != null && canceled.workStarted());
                    if (!billed) {
                        endCanceled(input, false);
                        return;
                    }
                    if (submission == null) {
                        submission = canceled.submission();
                    }
                    try {
                        details("Canceled after fal started: charged, collecting what fal delivers");
                        if (!"COMPLETED".equals(falStatus)) {
                            long until =
                                    followUntil > 0 ? followUntil : Workflow.currentTimeMillis() + deadline.toMillis();
                            awaitCompletion(input, deadline, until);
                        }
                        collectImages(input, deadline);
                    } catch (TemporalFailure nothingDelivered) {
                        log.info(
                                "Job {}: nothing delivered after the cancel ({})",
                                input.jobId(),
                                FailureChain.rootMessage(nothingDelivered));
                        endCanceled(input, true);
                    }
                })
                .run();
    }

    private void endCanceled(ImageGenerationInput input, boolean keepCharge) {
        store(keepCharge ? "Cancel job, charged" : "Cancel job and refund", null)
                .failJob(new FailJobInput(
                        input.jobId(),
                        input.userId(),
                        JobStatus.CANCELED,
                        JobErrorCode.CANCELED,
                        keepCharge ? "canceled by the owner after fal started: charged" : "canceled by the owner",
                        keepCharge));
        setStatus(JobStatus.CANCELED);
        details(keepCharge ? "Canceled by the owner after fal started (charged)" : "Canceled by the owner");
    }

    /**
     * Best effort: a fal cancel that fails must not keep the settlement from happening.
     *
     * @return fal's answer, or null when the cancel could not be made
     */
    private CancelOutput cancelFalRequest(ImageGenerationInput input) {
        try {
            return fal("Cancel fal request", Duration.ofMinutes(2)).cancel(new CancelInput(input.jobId(), submission));
        } catch (ActivityFailure e) {
            log.warn("Could not cancel the fal request of job {}: {}", input.jobId(), FailureChain.rootMessage(e));
            return null;
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
     * id being persisted. The other fal calls only read, so a cancel abandons them: the cancel path
     * asks fal itself.
     */
    private FalActivities fal(String summary, Duration deadline) {
        return Workflow.newActivityStub(
                FalActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.FAL)
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setScheduleToCloseTimeout(deadline)
                        .setRetryOptions(FAL_RETRY)
                        .setCancellationType(
                                !costAwareCancel || summary.equals(SUBMIT)
                                        ? ActivityCancellationType.WAIT_CANCELLATION_COMPLETED
                                        : ActivityCancellationType.ABANDON)
                        .setSummary(summary)
                        .build());
    }

    /**
     * Storage steps are idempotent and the settlement orders any late write after the job's decision
     * (see JobSettlement), so a cancel abandons a running step instead of asking the worker to stop it.
     */
    private JobStoreActivities store(String summary, Duration bound) {
        ActivityOptions.Builder options = ActivityOptions.newBuilder()
                .setTaskQueue(TaskQueues.STORAGE)
                .setStartToCloseTimeout(Duration.ofMinutes(2))
                .setRetryOptions(STORAGE_RETRY)
                .setCancellationType(
                        costAwareCancel ? ActivityCancellationType.ABANDON : ActivityCancellationType.TRY_CANCEL)
                .setSummary(summary);
        if (bound != null) {
            options.setScheduleToCloseTimeout(bound);
        }
        return Workflow.newActivityStub(JobStoreActivities.class, options.build());
    }
}
