package com.figureforge.workflows.generation;

import com.figureforge.workflows.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for fal behind the activity boundary in workflow unit tests; the real activities are
 * tested against WireMock and the emulator in the activities and app modules.
 */
class FakeFal implements FalActivities {

    final AtomicInteger submitAttempts = new AtomicInteger();
    final AtomicInteger submitted = new AtomicInteger();
    final AtomicInteger statusChecks = new AtomicInteger();
    final List<CancelInput> cancels = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<RuntimeException> submitFailures = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<RuntimeException> statusFailures = new ConcurrentLinkedQueue<>();
    volatile List<String> statusSequence = List.of("IN_QUEUE", "IN_PROGRESS", "COMPLETED");
    volatile String stuckAt;
    volatile List<Boolean> nsfw = List.of();
    /** Submits report a registered webhook: the workflow waits for the signal, not the stream. */
    volatile boolean webhook;
    /** Submits asked to mark the job running along the way. */
    final AtomicInteger markedRunning = new AtomicInteger();
    /** What a status check after a cancel shows: fal had started the work (it bills it). */
    volatile boolean workStarted;

    final ConcurrentLinkedQueue<RuntimeException> resultFailures = new ConcurrentLinkedQueue<>();
    private volatile FalSubmission persisted;

    static ApplicationFailure failure(FailureType type, String message) {
        return type.retryable()
                ? ApplicationFailure.newFailure(message, type.name())
                : ApplicationFailure.newNonRetryableFailure(message, type.name());
    }

    @Override
    public SubmitOutput submit(SubmitInput input) {
        submitAttempts.incrementAndGet();
        RuntimeException failure = submitFailures.poll();
        if (failure != null) {
            throw failure;
        }
        if (input.markRunning()) {
            markedRunning.incrementAndGet();
        }
        if (persisted == null) {
            submitted.incrementAndGet();
            String id = "req-" + input.jobId();
            persisted = new FalSubmission(id, "status/" + id, "response/" + id, "cancel/" + id);
        }
        return new SubmitOutput(persisted, webhook);
    }

    /** Whether a status check would now report the request completed. */
    boolean completesNow() {
        return stuckAt == null;
    }

    @Override
    public CheckStatusOutput checkStatus(CheckStatusInput input) {
        RuntimeException failure = statusFailures.poll();
        if (failure != null) {
            throw failure;
        }
        int call = statusChecks.getAndIncrement();
        if (stuckAt != null) {
            return new CheckStatusOutput(stuckAt, "IN_QUEUE".equals(stuckAt) ? 3 : null);
        }
        String status = statusSequence.get(Math.min(call, statusSequence.size() - 1));
        return new CheckStatusOutput(status, "IN_QUEUE".equals(status) ? 1 : null);
    }

    @Override
    public FetchResultOutput fetchResult(FetchResultInput input) {
        RuntimeException failure = resultFailures.poll();
        if (failure != null) {
            throw failure;
        }
        List<FalImage> images = new ArrayList<>();
        int count = Math.max(1, nsfw.size());
        for (int i = 0; i < count; i++) {
            images.add(new FalImage(
                    "https://fal.media/" + input.submission().requestId() + "/" + i, 768, 1024, "image/png"));
        }
        return new FetchResultOutput(images, 42L, nsfw.isEmpty() ? Collections.nCopies(count, false) : nsfw);
    }

    @Override
    public CancelOutput cancel(CancelInput input) {
        cancels.add(input);
        boolean started = persisted != null && workStarted;
        return new CancelOutput(persisted != null, persisted != null, started, persisted);
    }
}
