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
                index -> new StoredImage(
                        input.jobId() + "-" + index,
                        index,
                        "images/" + input.userId() + "/" + input.jobId() + "/" + index + ".png",
                        "images/" + input.userId() + "/" + input.jobId() + "/" + index + "-thumb.png",
                        input.source().width(),
                        input.source().height(),
                        input.source().contentType(),
                        1234,
                        input.seed()));
        return new StoreImageOutput(image);
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
