package com.figureforge.workflows.deletion;

import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.generation.ImageGenerationWorkflow;
import com.figureforge.workflows.generation.JobStatus;
import com.figureforge.workflows.generation.JobStoreActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/**
 * Generation workflows for deletion tests, registered under the real workflow type and ids. A job runs
 * until it is canceled and then does what the real workflow does: it fails the job in a detached scope,
 * which frees its in-flight slot. A job whose id starts with {@code stubborn-} ignores the cancel.
 */
final class FakeGenerations {

    private FakeGenerations() {}

    public static class RunUntilCanceled implements ImageGenerationWorkflow {

        @Override
        public ImageGenerationResult generate(ImageGenerationInput input) {
            try {
                Workflow.sleep(Duration.ofDays(1));
                return new ImageGenerationResult(input.jobId(), JobStatus.SUCCEEDED, List.of(), null, null);
            } catch (CanceledFailure canceled) {
                if (input.jobId().startsWith("stubborn-")) {
                    Workflow.newDetachedCancellationScope(() -> Workflow.sleep(Duration.ofDays(1)))
                            .run();
                    return new ImageGenerationResult(input.jobId(), JobStatus.SUCCEEDED, List.of(), null, null);
                }
                Workflow.newDetachedCancellationScope(() -> {
                            Workflow.sleep(Duration.ofSeconds(3)); // a fal cancel takes a moment
                            Workflow.newActivityStub(
                                            JobStoreActivities.class,
                                            ActivityOptions.newBuilder()
                                                    .setTaskQueue(TaskQueues.STORAGE)
                                                    .setStartToCloseTimeout(Duration.ofSeconds(10))
                                                    .build())
                                    .failJob(new JobStoreActivities.FailJobInput(
                                            input.jobId(),
                                            input.userId(),
                                            JobStatus.CANCELED,
                                            "canceled",
                                            "canceled",
                                            false));
                        })
                        .run();
                throw canceled;
            }
        }

        @Override
        public void falCompleted(ImageGenerationWorkflow.FalCompletion completion) {}

        @Override
        public void falStatusChanged(ImageGenerationWorkflow.FalStatusUpdate update) {}

        @Override
        public GenerationProgress progress() {
            return new GenerationProgress(JobStatus.RUNNING, null, null, null, 0, 1, null);
        }
    }

    /** Only {@code failJob} is used: it frees the slot in the fake ledger and records the call. */
    static final class SlotStore implements JobStoreActivities {

        private final FakeDeletionActivities deletion;

        SlotStore(FakeDeletionActivities deletion) {
            this.deletion = deletion;
        }

        @Override
        public FailJobOutput failJob(FailJobInput input) {
            deletion.calls.add("failJob:" + input.jobId());
            deletion.inFlight.remove(input.jobId());
            return new FailJobOutput(input.status(), 0);
        }

        @Override
        public MarkRunningOutput markRunning(MarkRunningInput input) {
            throw new UnsupportedOperationException();
        }

        @Override
        public StoreImageOutput storeImage(StoreImageInput input) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompleteJobOutput completeJob(CompleteJobInput input) {
            throw new UnsupportedOperationException();
        }

        @Override
        public StoreAndCompleteOutput storeImagesAndComplete(StoreAndCompleteInput input) {
            throw new UnsupportedOperationException();
        }
    }
}
