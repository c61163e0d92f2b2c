package com.figureforge.workflows.generation;

import com.figureforge.workflows.FailureChain;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.RetryPolicies;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.generation.FalActivities.CancelInput;
import com.figureforge.workflows.generation.FalActivities.CancelOutput;
import com.figureforge.workflows.generation.FalActivities.FetchResultInput;
import com.figureforge.workflows.generation.FalActivities.FetchResultOutput;
import com.figureforge.workflows.generation.FalActivities.SubmitInput;
import com.figureforge.workflows.generation.JobStoreActivities.CompleteJobInput;
import com.figureforge.workflows.generation.JobStoreActivities.FailJobInput;
import com.figureforge.workflows.generation.JobStoreActivities.ImageToStore;
import com.figureforge.workflows.generation.JobStoreActivities.MarkRunningInput;
import com.figureforge.workflows.generation.JobStoreActivities.StoreAndCompleteInput;
import com.figureforge.workflows.generation.JobStoreActivities.StoreImageInput;
import com.figureforge.workflows.generation.JobStoreActivities.StoreImageOutput;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
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

    /** Version marker of the rule "a cancel after fal started is charged" (see settleAfterCancel). */
    static final String COST_AWARE_CANCEL = "cost-aware-cancel";

    /**
     * Version marker of the event-driven, leaner run: submit also marks the job running, the end of the
     * fal request arrives by webhook signal or status stream (a slow poll as a safety net), and the
     * stream hands over the result. Runs from before keep polling (see {@link FalRequestFollower}).
     */
    static final String FAL_EVENTS = "fal-events";

    /**
     * Version marker of the lean finish: one storage step copies every image and settles the job (one round
     * trip instead of one per image plus one). Runs from before keep their per-image steps.
     */
    static final String LEAN_FINISH = "lean-finish";

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

    /** One attempt of the lean finish: its copies run in parallel, each bounded by the download timeout. */
    private static final Duration LEAN_FINISH_ATTEMPT = Duration.ofMinutes(3);

    /** A worker that dies mid-copy is noticed this quickly and the step moves to another worker. */
    private static final Duration LEAN_FINISH_HEARTBEAT = Duration.ofSeconds(20);

    private JobStatus status = JobStatus.QUEUED;
    private FalSubmission submission;
    private final FalRequestFollower follower = new FalRequestFollower(this::fal);
    private int imagesStored;
    private int imagesExpected;
    private String errorCode;
    /** Runs started before the cost-aware cancel keep the old cancel path and cancellation types. */
    private boolean costAwareCancel;
    /** Runs started before {@link #FAL_EVENTS} poll fal and mark the job running in a step of its own. */
    private boolean falEvents;
    /** Runs started before {@link #LEAN_FINISH} store each image in a step of its own, then complete. */
    private boolean leanFinish;
    /** fal calls our webhook when the request finishes (else the workflow follows the status stream). */
    private boolean webhookRegistered;
    /** When following fal's request gives up (workflow time, millis). */
    private long followUntil;

    @Override
    public ImageGenerationResult generate(ImageGenerationInput input) {
        costAwareCancel = Workflow.getVersion(COST_AWARE_CANCEL, Workflow.DEFAULT_VERSION, 1) == 1;
        falEvents = Workflow.getVersion(FAL_EVENTS, Workflow.DEFAULT_VERSION, 1) == 1;
        leanFinish = Workflow.getVersion(LEAN_FINISH, Workflow.DEFAULT_VERSION, 1) == 1;
        follower.chooseHowWaitsEnd();
        imagesExpected = input.request().numImages();
        Duration deadline = Duration.ofSeconds(input.deadlineSeconds());
        details("Queued: " + imagesExpected + " image(s) with "
                + input.request().modelId());
        try {
            var submitted = fal(SUBMIT, deadline).submit(new SubmitInput(input.jobId(), input.request(), falEvents));
            submission = submitted.submission();
            webhookRegistered = submitted.webhookRegistered();
            if (!falEvents) {
                store("Mark job running", STORAGE_STEP_BOUND).markRunning(new MarkRunningInput(input.jobId()));
            } else {
                // fal answers every submit IN_QUEUE; the status stream reports the changes from there.
                follower.reported("IN_QUEUE", null);
            }
            setStatus(JobStatus.RUNNING);
            details("Submitted to fal as " + submission.requestId());
            followUntil = Workflow.currentTimeMillis() + deadline.toMillis();
            return collectImages(input, deadline, awaitCompletion(input, deadline, followUntil));
        } catch (TemporalFailure failure) {
            if (CancellationScope.current().isCancelRequested()
                    || FailureChain.contains(failure, CanceledFailure.class)) {
                settleAfterCancel(input, deadline);
                throw failure;
            }
            return failJob(input, failure);
        }
    }

    /**
     * Copies fal's result (fetched now unless the status stream brought it) to S3 and completes the job
     * with the images.
     */
    private ImageGenerationResult collectImages(
            ImageGenerationInput input, Duration deadline, FetchResultOutput fetched) {
        FetchResultOutput output = fetched != null
                ? fetched
                : fal("Fetch fal result", deadline).fetchResult(new FetchResultInput(input.jobId(), submission));
        if (leanFinish) {
            return finishLean(input, output);
        }
        List<StoredImage> stored = storeImages(input, output);
        int blocked = output.images().size() - stored.size();
        var completed = store("Record images and finish job", null)
                .completeJob(new CompleteJobInput(input.jobId(), input.userId(), stored, blocked));
        return finished(input, completed.status(), stored, blocked);
    }

    /**
     * One step copies the allowed images and settles the job. Its retries have no overall bound, as the
     * settlement must never be given up; the copy part is bounded inside the step instead: past
     * {@link #STORAGE_STEP_BOUND} after scheduling, a copy still missing fails the step (type {@code timeout})
     * and the job fails and is refunded, as when the per-image steps ran out of time.
     */
    private ImageGenerationResult finishLean(ImageGenerationInput input, FetchResultOutput output) {
        List<ImageToStore> allowed = new ArrayList<>();
        for (int index = 0; index < output.images().size(); index++) {
            if (!(index < output.nsfw().size()
                    && Boolean.TRUE.equals(output.nsfw().get(index)))) {
                allowed.add(new ImageToStore(index, output.images().get(index)));
            }
        }
        int blocked = output.images().size() - allowed.size();
        long copyUntil = Workflow.currentTimeMillis() + STORAGE_STEP_BOUND.toMillis();
        var completed = Workflow.newActivityStub(
                        JobStoreActivities.class,
                        storeOptions("Copy " + allowed.size() + " image(s) to S3 and finish job")
                                .setStartToCloseTimeout(LEAN_FINISH_ATTEMPT)
                                .setHeartbeatTimeout(LEAN_FINISH_HEARTBEAT)
                                .build())
                .storeImagesAndComplete(new StoreAndCompleteInput(
                        input.jobId(), input.userId(), allowed, output.seed(), blocked, copyUntil));
        imagesStored = completed.images().size();
        return finished(input, completed.status(), completed.images(), blocked);
    }

    private ImageGenerationResult finished(
            ImageGenerationInput input, JobStatus finalStatus, List<StoredImage> stored, int blocked) {
        setStatus(finalStatus);
        if (finalStatus != JobStatus.SUCCEEDED) {
            errorCode = JobErrorCode.IMAGES_BLOCKED;
        }
        details("Finished: " + stored.size() + " stored, " + blocked + " blocked by the safety checker");
        return new ImageGenerationResult(
                input.jobId(), finalStatus, stored, errorCode, blocked > 0 ? "blocked images refunded" : null);
    }

    @Override
    public GenerationProgress progress() {
        return new GenerationProgress(
                status,
                submission == null ? null : submission.requestId(),
                follower.falStatus,
                follower.queuePosition,
                imagesStored,
                imagesExpected,
                errorCode);
    }

    @Override
    public void falCompleted(FalCompletion completion) {
        if (submission == null || submission.requestId().equals(completion.requestId())) {
            follower.completed(completion);
        }
    }

    @Override
    public void falStatusChanged(FalStatusUpdate update) {
        if (submission != null && submission.requestId().equals(update.requestId())) {
            follower.reported(update.status(), update.queuePosition());
        }
    }

    /** Waits for the end of the fal request; returns its result when the wait brought it along. */
    private FetchResultOutput awaitCompletion(ImageGenerationInput input, Duration deadline, long deadlineAt) {
        if (!falEvents) {
            follower.pollUntilDone(input.jobId(), submission, deadline, deadlineAt);
            return null;
        }
        return follower.awaitEvents(input.jobId(), submission, webhookRegistered, deadline, deadlineAt);
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
        errorCode = JobErrorCode.forFailure(type, failure);
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
                    boolean billed = follower.falStarted || (canceled != null && canceled.workStarted());
                    if (!billed) {
                        endCanceled(input, false);
                        return;
                    }
                    if (submission == null) {
                        submission = canceled.submission();
                    }
                    try {
                        details("Canceled after fal started: charged, collecting what fal delivers");
                        FetchResultOutput fetched = null;
                        if (!follower.reportedCompleted()) {
                            long until =
                                    followUntil > 0 ? followUntil : Workflow.currentTimeMillis() + deadline.toMillis();
                            fetched = awaitCompletion(input, deadline, until);
                        }
                        collectImages(input, deadline, fetched);
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
        ActivityOptions.Builder options = storeOptions(summary);
        if (bound != null) {
            options.setScheduleToCloseTimeout(bound);
        }
        return Workflow.newActivityStub(JobStoreActivities.class, options.build());
    }

    private ActivityOptions.Builder storeOptions(String summary) {
        return ActivityOptions.newBuilder()
                .setTaskQueue(TaskQueues.STORAGE)
                .setStartToCloseTimeout(Duration.ofMinutes(2))
                .setRetryOptions(STORAGE_RETRY)
                .setCancellationType(
                        costAwareCancel ? ActivityCancellationType.ABANDON : ActivityCancellationType.TRY_CANCEL)
                .setSummary(summary);
    }
}
