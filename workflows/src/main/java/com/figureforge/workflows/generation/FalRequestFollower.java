package com.figureforge.workflows.generation;

import com.figureforge.workflows.RetryPolicies;
import com.figureforge.workflows.SummarizedTimers;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.generation.FalActivities.CheckStatusInput;
import com.figureforge.workflows.generation.FalActivities.CheckStatusOutput;
import com.figureforge.workflows.generation.FalActivities.FetchResultOutput;
import com.figureforge.workflows.generation.FalEventActivities.AwaitCompletionInput;
import com.figureforge.workflows.generation.FalEventActivities.AwaitCompletionOutput;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.FalCompletion;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Workflow-side state of one fal request between submit and completion: what fal last reported, and
 * the two ways of waiting for its end. Runs recorded before {@link ImageGenerationWorkflowImpl#FAL_EVENTS}
 * poll with backoff ({@link #pollUntilDone}); newer runs wait for whichever comes first of fal's
 * webhook signal, the status-stream activity and a slow safety poll ({@link #awaitEvents}).
 */
final class FalRequestFollower {

    /** Legacy polling: starts quick and backs off to a ceiling. */
    static final Duration FIRST_POLL = Duration.ofSeconds(1);

    static final Duration MAX_POLL = Duration.ofSeconds(10);
    private static final double POLL_BACKOFF = 1.5;

    /**
     * The safety net of the event-driven wait: a lost webhook or a stream that keeps breaking still ends
     * the wait within this long after fal finished.
     */
    static final Duration SAFETY_POLL = Duration.ofSeconds(30);

    /** A worker that died mid-stream is noticed this quickly and the wait moves to another worker. */
    static final Duration STREAM_HEARTBEAT = Duration.ofSeconds(10);

    /** From this version on an ended wait's timer and stream are left alone ({@link #leavesEndedWaitsAlone}). */
    static final String QUIET_WAIT_ENDS = "quiet-wait-ends";

    /** Timer summaries in the Web UI: what happens when each wait ends. */
    static final String POLL_SUMMARY = "Next fal status poll";

    static final String SAFETY_POLL_SUMMARY = "Safety poll of fal, unless its webhook or status stream ends the wait";

    private final BiFunction<String, Duration, FalActivities> fal;
    String falStatus;
    Integer queuePosition;
    /** fal reported the work running or done: from then on fal bills it. */
    boolean falStarted;

    private FalCompletion completion;

    /**
     * Runs from {@link #QUIET_WAIT_ENDS} on leave the safety-poll timer and a
     * still-running stream activity alone once the wait is over, instead of canceling them. A cancel sent
     * while the timer fires or the activity completes is a race the Java test server (the local stack's
     * Temporal) cannot handle: it rejects the workflow task and the job stays stuck. Left alone, the timer
     * fires into a task that does nothing, the stream ends by itself (fal is done) or with the run.
     */
    private boolean leavesEndedWaitsAlone;

    FalRequestFollower(BiFunction<String, Duration, FalActivities> fal) {
        this.fal = fal;
    }

    /** Records (or, replaying, reads) whether this run leaves ended waits alone: call once, at the start. */
    void chooseHowWaitsEnd() {
        leavesEndedWaitsAlone = Workflow.getVersion(QUIET_WAIT_ENDS, Workflow.DEFAULT_VERSION, 1) == 1;
    }

    /** The verified webhook said the request finished; repeats change nothing. */
    void completed(FalCompletion signal) {
        if (completion == null) {
            completion = signal;
        }
    }

    /** A status the stream activity saw; the end itself comes with the activity's result. */
    void reported(String status, Integer position) {
        if (reportedCompleted() || "COMPLETED".equals(status)) {
            return;
        }
        falStatus = status;
        queuePosition = position;
        falStarted |= !"IN_QUEUE".equals(status);
        Workflow.setCurrentDetails(
                position != null ? "fal: " + status + ", queue position " + position : "fal: " + status);
    }

    boolean reportedCompleted() {
        return "COMPLETED".equals(falStatus);
    }

    /** Polls fal's status with backoff until it completes or {@code deadlineAt} passes. */
    void pollUntilDone(String jobId, FalSubmission submission, Duration deadline, long deadlineAt) {
        Duration wait = FIRST_POLL;
        while (!check(jobId, submission, deadline)) {
            SummarizedTimers.sleep(
                    Duration.ofMillis(Math.min(wait.toMillis(), remaining(deadline, deadlineAt))), POLL_SUMMARY);
            wait = Duration.ofMillis(Math.min((long) (wait.toMillis() * POLL_BACKOFF), MAX_POLL.toMillis()));
        }
    }

    /**
     * Waits for fal's webhook signal (when one was registered) or the status-stream activity (when not),
     * polling every {@link #SAFETY_POLL} in case neither arrives.
     *
     * @return the result when the stream fetched it along the way, else null (the caller fetches it)
     */
    FetchResultOutput awaitEvents(
            String jobId, FalSubmission submission, boolean webhookRegistered, Duration deadline, long deadlineAt) {
        Promise<AwaitCompletionOutput>[] streamed = newPromiseHolder();
        CancellationScope streamScope = Workflow.newCancellationScope(() -> {
            if (!webhookRegistered) {
                streamed[0] =
                        Async.function(stream(deadline)::awaitCompletion, new AwaitCompletionInput(jobId, submission));
            }
        });
        streamScope.run();
        boolean ended = false;
        try {
            while (true) {
                Duration wait = Duration.ofMillis(Math.min(SAFETY_POLL.toMillis(), remaining(deadline, deadlineAt)));
                awaitOrTimeout(wait, () -> completion != null || (streamed[0] != null && streamed[0].isCompleted()));
                if (streamed[0] != null && streamed[0].isCompleted()) {
                    FetchResultOutput result = streamed[0].get().result();
                    markCompleted();
                    ended = true;
                    return result;
                }
                if (completion != null || check(jobId, submission, deadline)) {
                    markCompleted();
                    ended = true;
                    return null;
                }
            }
        } finally {
            // The signal or a poll won (or the wait failed): stop the stream (the activity sees it at its
            // next heartbeat), unless this run leaves an ended wait alone. A canceled promise fails with the
            // cancellation, which is expected: observe it so it is not logged.
            if (!(ended && leavesEndedWaitsAlone)) {
                streamScope.cancel();
            }
            if (streamed[0] != null) {
                streamed[0].handle((result, failure) -> null);
            }
        }
    }

    /**
     * {@code Workflow.await(wait, condition)}, except that the timer the condition beat is canceled and its
     * cancellation observed (the SDK's own version leaves it unobserved, logged as an ignored failure), or,
     * for runs that leave ended waits alone, left to fire into nothing.
     */
    private void awaitOrTimeout(Duration wait, Supplier<Boolean> condition) {
        Promise<Void>[] timer = newTimerHolder();
        CancellationScope timerScope =
                Workflow.newCancellationScope(() -> timer[0] = SummarizedTimers.timer(wait, SAFETY_POLL_SUMMARY));
        timerScope.run();
        try {
            Workflow.await(() -> timer[0].isCompleted() || condition.get());
        } finally {
            if (!timer[0].isCompleted() && !leavesEndedWaitsAlone) {
                timerScope.cancel();
            }
            timer[0].handle((fired, canceled) -> null);
        }
    }

    /** One status check; true when fal reports the request completed. */
    private boolean check(String jobId, FalSubmission submission, Duration deadline) {
        CheckStatusOutput check =
                fal.apply("Check fal status", deadline).checkStatus(new CheckStatusInput(jobId, submission));
        falStatus = check.status();
        queuePosition = check.queuePosition();
        falStarted |= !"IN_QUEUE".equals(check.status());
        if (check.completed()) {
            return true;
        }
        Workflow.setCurrentDetails(
                check.queuePosition() != null
                        ? "fal: " + check.status() + ", queue position " + check.queuePosition()
                        : "fal: " + check.status());
        return false;
    }

    private void markCompleted() {
        falStatus = "COMPLETED";
        queuePosition = null;
        falStarted = true;
    }

    private static long remaining(Duration deadline, long deadlineAt) {
        long remaining = deadlineAt - Workflow.currentTimeMillis();
        if (remaining <= 0) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "fal did not finish within " + deadline, JobErrorCode.TIMEOUT);
        }
        return remaining;
    }

    /**
     * The stream activity: one attempt may last the whole job, so no start-to-close bound shorter than the
     * deadline (plus a margin, so the job's own deadline, not the stream's retries, decides a timeout);
     * the heartbeat timeout notices a dead worker. A cancel is delivered to it (TRY_CANCEL) so
     * the stream closes instead of holding a connection until fal finishes.
     */
    private static FalEventActivities stream(Duration deadline) {
        return Workflow.newActivityStub(
                FalEventActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.FAL_EVENTS)
                        .setScheduleToCloseTimeout(deadline.plus(SAFETY_POLL))
                        .setHeartbeatTimeout(STREAM_HEARTBEAT)
                        .setRetryOptions(RetryPolicies.backingOffTo(SAFETY_POLL))
                        .setCancellationType(ActivityCancellationType.TRY_CANCEL)
                        .setSummary("Follow fal status stream")
                        .build());
    }

    @SuppressWarnings("unchecked")
    private static Promise<AwaitCompletionOutput>[] newPromiseHolder() {
        return new Promise[1];
    }

    @SuppressWarnings("unchecked")
    private static Promise<Void>[] newTimerHolder() {
        return new Promise[1];
    }
}
