package com.figureforge.workflows.generation;

import com.figureforge.workflows.generation.FalActivities.FetchResultOutput;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Follows a fal request to its end over fal's status stream (server-sent events) instead of polling.
 * Runs on {@link com.figureforge.workflows.TaskQueues#FAL_EVENTS}: a stream is a long, mostly idle
 * wait, and must not hold one of the fal queue's few call slots.
 */
@ActivityInterface
public interface FalEventActivities {

    /**
     * Reads the request's status stream until fal reports {@code COMPLETED}, heartbeating all along
     * (a dead worker is noticed within the heartbeat timeout and the wait moves to another), then
     * fetches the result in the same attempt. Read-only, so a retry simply follows again; a stream that
     * breaks fails the attempt with {@code FAL_UNAVAILABLE} and the retry reconnects. Honours
     * cancellation at its next heartbeat.
     */
    @ActivityMethod
    AwaitCompletionOutput awaitCompletion(AwaitCompletionInput input);

    record AwaitCompletionInput(String jobId, FalSubmission submission) {}

    /** @param result the completed request's images */
    record AwaitCompletionOutput(FetchResultOutput result) {}
}
