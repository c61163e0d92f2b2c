package com.figureforge.activities.generation;

import com.figureforge.adapters.fal.FalException;
import com.figureforge.adapters.fal.FalQueueClient;
import com.figureforge.adapters.fal.FalResult;
import com.figureforge.adapters.fal.FalStatus;
import com.figureforge.adapters.fal.FalStatusStream;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.generation.FalActivities.FetchResultOutput;
import com.figureforge.workflows.generation.FalEventActivities;
import com.figureforge.workflows.generation.ImageGenerationWorkflow;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.FalStatusUpdate;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.spring.boot.ActivityImpl;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Follows a fal request over its status stream. The stream is read on a virtual thread while the activity
 * thread heartbeats, so a cancel (delivered with a heartbeat) or a silent stream ends the attempt at once,
 * closing the connection. Only reads: a retry opens a new stream and fetches the same result.
 */
@Component
@ActivityImpl(taskQueues = TaskQueues.FAL_EVENTS)
public class FalEventActivitiesImpl implements FalEventActivities {

    /** Well inside the workflow's heartbeat timeout (10 s); the SDK batches heartbeats anyway. */
    static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(2);

    /** How often a queued job's workflow hears of its new queue position (see {@link StatusReportPacing}). */
    static final Duration POSITION_EVERY = Duration.ofSeconds(3);

    /** fal keeps the stream alive with a comment every 15 s; this much silence means it is gone. */
    static final Duration SILENCE_LIMIT = Duration.ofSeconds(45);

    private static final Logger log = LoggerFactory.getLogger(FalEventActivitiesImpl.class);

    private final FalQueueClient fal;
    private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();

    public FalEventActivitiesImpl(FalQueueClient fal) {
        this.fal = fal;
    }

    /**
     * Tells the job's workflow what fal reports (live progress; {@code IN_PROGRESS} means fal bills the
     * work). Best effort: a lost update only makes the progress view lag.
     */
    private static void report(ActivityExecutionContext context, AwaitCompletionInput input, FalStatus status) {
        try {
            context.getWorkflowClient()
                    .newWorkflowStub(
                            ImageGenerationWorkflow.class, context.getInfo().getWorkflowId())
                    .falStatusChanged(new FalStatusUpdate(
                            input.submission().requestId(), status.status(), status.queuePosition()));
        } catch (RuntimeException e) {
            log.info("could not report fal status of job {}: {}", input.jobId(), e.toString());
        }
    }

    @Override
    public AwaitCompletionOutput awaitCompletion(AwaitCompletionInput input) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        try (FalStatusStream stream = FalActivitiesImpl.call(() -> fal.openStatusStream(input.submission()))) {
            follow(stream, context, input);
        }
        FalResult result = FalActivitiesImpl.call(() -> fal.result(input.submission()));
        return new AwaitCompletionOutput(new FetchResultOutput(result.images(), result.seed(), result.nsfw()));
    }

    private FalStatus follow(FalStatusStream stream, ActivityExecutionContext context, AwaitCompletionInput input) {
        AtomicReference<String> lastStatus = new AtomicReference<>();
        Future<FalStatus> reading = readers.submit(() -> {
            FalStatus status;
            StatusReportPacing pacing = new StatusReportPacing(POSITION_EVERY, System::nanoTime);
            while ((status = stream.next()) != null) {
                lastStatus.set(status.status());
                if (status.completed()) {
                    return status;
                }
                if (pacing.shouldReport(status)) {
                    report(context, input, status);
                }
            }
            return null;
        });
        try {
            while (true) {
                try {
                    FalStatus done = reading.get(HEARTBEAT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                    if (done == null) {
                        throw FalActivitiesImpl.toFailure(new FalException(
                                FailureType.FAL_UNAVAILABLE, "fal.ai closed the status stream before COMPLETED", null));
                    }
                    return done;
                } catch (TimeoutException stillWaiting) {
                    if (stream.lastReceived().isBefore(Instant.now().minus(SILENCE_LIMIT))) {
                        throw FalActivitiesImpl.toFailure(new FalException(
                                FailureType.FAL_UNAVAILABLE, "fal.ai status stream went silent", null));
                    }
                    // Throws once the workflow canceled this wait (or the server lost track of it).
                    context.heartbeat(lastStatus.get());
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FalException falException) {
                throw FalActivitiesImpl.toFailure(falException);
            }
            throw new IllegalStateException("reading the fal status stream failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while following fal", e);
        } finally {
            reading.cancel(true);
        }
    }
}
