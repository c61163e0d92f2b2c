package com.figureforge.workflows.generation;

import com.figureforge.workflows.FailureType;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The status-stream activity over {@link FakeFal}: an attempt ends with the result when fal would
 * report the request completed, and otherwise breaks like a dropped stream (retryable), so a stuck
 * request is followed by retries and the workflow's safety poll.
 */
class FakeFalEvents implements FalEventActivities {

    private final FakeFal fal;
    final AtomicInteger attempts = new AtomicInteger();

    FakeFalEvents(FakeFal fal) {
        this.fal = fal;
    }

    @Override
    public AwaitCompletionOutput awaitCompletion(AwaitCompletionInput input) {
        attempts.incrementAndGet();
        if (!fal.completesNow()) {
            throw FakeFal.failure(FailureType.FAL_UNAVAILABLE, "status stream closed before COMPLETED");
        }
        return new AwaitCompletionOutput(
                fal.fetchResult(new FalActivities.FetchResultInput(input.jobId(), input.submission())));
    }
}
