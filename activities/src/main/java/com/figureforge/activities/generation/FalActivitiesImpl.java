package com.figureforge.activities.generation;

import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.fal.FalCancelOutcome;
import com.figureforge.adapters.fal.FalException;
import com.figureforge.adapters.fal.FalQueueClient;
import com.figureforge.adapters.fal.FalResult;
import com.figureforge.adapters.fal.FalStatus;
import com.figureforge.adapters.fal.FalWebhookTarget;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.generation.FalActivities;
import com.figureforge.workflows.generation.FalSubmission;
import io.temporal.failure.ApplicationFailure;
import io.temporal.spring.boot.ActivityImpl;
import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The fal.ai activities. A submit happens at most once per job as far as we can tell: the job record is read
 * first and a persisted submission is returned as is; a fresh one is persisted (conditionally, first writer
 * wins) before the activity returns.
 *
 * <p>One gap no client can close: when fal accepts a submit but the answer is lost (connection dropped after
 * the request was sent), the retry submits again; fal's queue API has no idempotency key.
 */
@Component
@ActivityImpl(taskQueues = TaskQueues.FAL)
public class FalActivitiesImpl implements FalActivities {

    private static final Logger log = LoggerFactory.getLogger(FalActivitiesImpl.class);

    private final FalQueueClient fal;
    private final JobRepository jobs;
    private final FalWebhookTarget webhooks;

    public FalActivitiesImpl(FalQueueClient fal, JobRepository jobs, FalWebhookTarget webhooks) {
        this.fal = fal;
        this.jobs = jobs;
        this.webhooks = webhooks;
    }

    @Override
    public SubmitOutput submit(SubmitInput input) {
        JobRecord job = jobs.find(input.jobId()).orElseThrow(() -> ActivityFailures.jobNotFound(input.jobId()));
        if (job.falSubmission() != null) {
            log.info(
                    "job {} already submitted to fal as {}: not submitting again",
                    input.jobId(),
                    job.falSubmission().requestId());
            return submitted(input, job.falSubmission());
        }
        URI webhook = webhooks.forJob(input.jobId()).orElse(null);
        FalSubmission submitted = call(() -> fal.submit(input.request(), webhook));
        FalSubmission stored;
        try {
            // Recording the request also marks the job running (one write) when the workflow asks for both.
            stored = input.markRunning()
                    ? jobs.recordFalSubmissionAndMarkRunning(input.jobId(), submitted)
                    : jobs.recordFalSubmission(input.jobId(), submitted);
        } catch (IllegalStateException deleted) {
            // The job vanished between our read and our write: do not leave a request running at fal.
            cancelQuietly(submitted);
            throw ActivityFailures.jobNotFound(input.jobId());
        }
        if (!stored.requestId().equals(submitted.requestId())) {
            // A concurrent attempt won the race; follow its request and drop ours.
            log.warn(
                    "job {} was submitted concurrently ({} kept, {} canceled)",
                    input.jobId(),
                    stored.requestId(),
                    submitted.requestId());
            cancelQuietly(submitted);
        }
        return new SubmitOutput(stored, webhooks.forJob(input.jobId()).isPresent());
    }

    /**
     * The answer of a submit, after marking the job running when the workflow asked for it (only a queued
     * job changes, so a retry or a job finished meanwhile is left as it is).
     */
    private SubmitOutput submitted(SubmitInput input, FalSubmission submission) {
        if (input.markRunning()) {
            jobs.markRunning(input.jobId());
        }
        return new SubmitOutput(submission, webhooks.forJob(input.jobId()).isPresent());
    }

    @Override
    public CheckStatusOutput checkStatus(CheckStatusInput input) {
        FalStatus status = call(() -> fal.status(input.submission()));
        return new CheckStatusOutput(status.status(), status.queuePosition());
    }

    @Override
    public FetchResultOutput fetchResult(FetchResultInput input) {
        FalResult result = call(() -> fal.result(input.submission()));
        return new FetchResultOutput(result.images(), result.seed(), result.nsfw());
    }

    @Override
    public CancelOutput cancel(CancelInput input) {
        Optional<FalSubmission> submission =
                input.submission() != null ? Optional.of(input.submission()) : jobs.findFalSubmission(input.jobId());
        if (submission.isEmpty()) {
            return new CancelOutput(false, false, false, null);
        }
        FalCancelOutcome outcome = call(() -> fal.cancel(submission.get()));
        boolean started = outcome != FalCancelOutcome.NOT_FOUND && workStarted(submission.get());
        log.info(
                "fal request {} of job {}: cancel answered {}, work started: {}",
                submission.get().requestId(),
                input.jobId(),
                outcome,
                started);
        return new CancelOutput(true, outcome.canceled(), started, submission.get());
    }

    /**
     * What the cancel left decides whether fal bills the request: still running or completed means the
     * work was done. A request fal no longer knows is not billed to us.
     */
    private boolean workStarted(FalSubmission submission) {
        try {
            return fal.status(submission).workStarted();
        } catch (FalException e) {
            if (e.type().retryable()) {
                throw toFailure(e);
            }
            return false;
        }
    }

    private void cancelQuietly(FalSubmission submission) {
        try {
            fal.cancel(submission);
        } catch (FalException e) {
            log.warn("could not cancel fal request {}: {}", submission.requestId(), e.getMessage());
        }
    }

    static <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (FalException e) {
            throw toFailure(e);
        }
    }

    static ApplicationFailure toFailure(FalException e) {
        return ActivityFailures.of(e.type(), e.getMessage(), e, e.retryAfter());
    }
}
