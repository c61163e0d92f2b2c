package com.figureforge.workflows.generation;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what the workflow asked storage to do, with the refund-once rule of the real ledger. */
class FakeJobStore implements JobStoreActivities {

    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<Integer, StoredImage> stored = new ConcurrentHashMap<>();
    final List<FailJobInput> failures = new CopyOnWriteArrayList<>();
    final List<Long> copyDeadlines = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<RuntimeException> storeFailures = new ConcurrentLinkedQueue<>();
    volatile JobStatus finalStatus;
    volatile int refunded;

    @Override
    public MarkRunningOutput markRunning(MarkRunningInput input) {
        calls.add("markRunning");
        return new MarkRunningOutput(JobStatus.RUNNING);
    }

    @Override
    public StoreImageOutput storeImage(StoreImageInput input) {
        calls.add("storeImage:" + input.index());
        RuntimeException failure = storeFailures.poll();
        if (failure != null) {
            throw failure;
        }
        StoredImage image = stored.computeIfAbsent(
                input.index(),
                index -> storedImage(input.jobId(), input.userId(), index, input.source(), input.seed()));
        return new StoreImageOutput(image);
    }

    private static StoredImage storedImage(String jobId, String userId, int index, FalImage source, long seed) {
        return new StoredImage(
                jobId + "-" + index,
                index,
                "images/" + userId + "/" + jobId + "/" + index + ".png",
                "images/" + userId + "/" + jobId + "/" + index + "-thumb.png",
                source.width(),
                source.height(),
                source.contentType(),
                1234,
                seed);
    }

    @Override
    public CompleteJobOutput completeJob(CompleteJobInput input) {
        calls.add("completeJob");
        JobStatus status = input.images().isEmpty() ? JobStatus.FAILED : JobStatus.SUCCEEDED;
        if (finalStatus == null) {
            finalStatus = status;
            refunded += input.blockedCount();
        }
        return new CompleteJobOutput(status, input.blockedCount());
    }

    /** Stores like storeImage (a failure queued in storeFailures fails the whole step), then completes. */
    @Override
    public StoreAndCompleteOutput storeImagesAndComplete(StoreAndCompleteInput input) {
        calls.add("storeImagesAndComplete:"
                + input.images().stream()
                        .map(image -> String.valueOf(image.index()))
                        .toList());
        copyDeadlines.add(input.copyUntilEpochMillis());
        RuntimeException failure = storeFailures.poll();
        if (failure != null) {
            throw failure;
        }
        List<StoredImage> images = input.images().stream()
                .map(image -> stored.computeIfAbsent(
                        image.index(),
                        index -> storedImage(input.jobId(), input.userId(), index, image.source(), input.seed())))
                .toList();
        JobStatus status = images.isEmpty() ? JobStatus.FAILED : JobStatus.SUCCEEDED;
        if (finalStatus == null) {
            finalStatus = status;
            refunded += input.blockedCount();
        }
        return new StoreAndCompleteOutput(
                status, input.blockedCount(), status == JobStatus.SUCCEEDED ? images : List.of());
    }

    @Override
    public FailJobOutput failJob(FailJobInput input) {
        calls.add("failJob:" + input.status().wire());
        failures.add(input);
        int refund = input.keepCharge() ? 0 : 2;
        if (finalStatus == null) {
            finalStatus = input.status();
            refunded += refund;
        }
        return new FailJobOutput(input.status(), refund);
    }
}
