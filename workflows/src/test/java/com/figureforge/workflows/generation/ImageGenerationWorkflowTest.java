package com.figureforge.workflows.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.TimerSummaries;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.ImageGenerationInput;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.ImageGenerationResult;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImageGenerationWorkflowTest {

    private static final String JOB = "job-1";
    private static final String USER = "alice";

    private TestWorkflowEnvironment env;
    private FakeFal fal;
    private FakeJobStore store;
    private FakeFalEvents events;

    @BeforeEach
    void startEnvironment() {
        env = TestWorkflowEnvironment.newInstance();
        env.registerSearchAttribute(
                FigureForgeSearchAttributes.USER_ID.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        env.registerSearchAttribute(
                FigureForgeSearchAttributes.JOB_STATUS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        fal = new FakeFal();
        store = new FakeJobStore();
        env.newWorker(TaskQueues.WORKFLOWS).registerWorkflowImplementationTypes(ImageGenerationWorkflowImpl.class);
        Worker falWorker = env.newWorker(TaskQueues.FAL);
        falWorker.registerActivitiesImplementations(fal);
        events = new FakeFalEvents(fal);
        env.newWorker(TaskQueues.FAL_EVENTS).registerActivitiesImplementations(events);
        env.newWorker(TaskQueues.STORAGE).registerActivitiesImplementations(store);
        env.start();
    }

    @AfterEach
    void stopEnvironment() {
        env.close();
    }

    @Test
    void happyPathStoresEveryImageAndCompletesTheJob() {
        fal.nsfw = List.of(false, false);

        ImageGenerationResult result = newWorkflow().generate(input(2, 600));

        assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(result.images()).extracting(StoredImage::index).containsExactly(0, 1);
        assertThat(fal.submitted).hasValue(1);
        assertThat(fal.markedRunning).as("submit marks the job running").hasValue(1);
        assertThat(store.calls)
                .as("one step copies both images and completes the job")
                .containsExactly("storeImagesAndComplete:[0, 1]");
        assertThat(events.attempts).as("the status stream ended the wait").hasValue(1);
        assertThat(fal.statusChecks).as("no polling while the stream works").hasValue(0);
        assertThat(store.failures).isEmpty();
        assertThat(fal.cancels).isEmpty();
        assertThat(jobStatusAttribute()).isEqualTo("succeeded");
    }

    @Test
    void imagesBlockedBySafetyCheckerAreSkippedAndRefunded() {
        fal.nsfw = List.of(true, false);

        ImageGenerationResult result = newWorkflow().generate(input(2, 600));

        assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(result.images()).extracting(StoredImage::index).containsExactly(1);
        assertThat(store.calls).containsExactly("storeImagesAndComplete:[1]");
        assertThat(store.refunded).isEqualTo(1);
    }

    @Test
    void everyImageBlockedFailsTheJobWithImagesBlocked() {
        fal.nsfw = List.of(true, true);

        ImageGenerationResult result = newWorkflow().generate(input(2, 600));

        assertThat(result.status()).isEqualTo(JobStatus.FAILED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.IMAGES_BLOCKED);
        assertThat(store.refunded).isEqualTo(2);
    }

    @Test
    void aFailedCopyAndCompleteStepIsRetriedAndBoundsItsCopiesByTheStorageStepBound() {
        fal.nsfw = List.of(false, false);
        store.storeFailures.add(FakeFal.failure(FailureType.FAL_UNAVAILABLE, "CDN answered 503"));
        long scheduledAfter = env.currentTimeMillis();

        ImageGenerationResult result = newWorkflow().generate(input(2, 600));

        assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(result.images()).hasSize(2);
        assertThat(store.calls).containsExactly("storeImagesAndComplete:[0, 1]", "storeImagesAndComplete:[0, 1]");
        assertThat(store.failures).isEmpty();
        assertThat(store.copyDeadlines)
                .allSatisfy(until -> assertThat(until)
                        .isBetween(
                                scheduledAfter + ImageGenerationWorkflowImpl.STORAGE_STEP_BOUND.toMillis(),
                                env.currentTimeMillis() + ImageGenerationWorkflowImpl.STORAGE_STEP_BOUND.toMillis()));
        assertThat(store.copyDeadlines.get(1))
                .as("retries keep the first deadline")
                .isEqualTo(store.copyDeadlines.get(0));
    }

    @Test
    void copiesThatRunOutOfTimeFailTheJobAsTimedOutAndRefundIt() {
        store.storeFailures.add(ApplicationFailure.newNonRetryableFailure(
                "copying the images of job job-1 to S3 did not succeed in time", JobErrorCode.TIMEOUT));

        ImageGenerationResult result = newWorkflow().generate(input(2, 600));

        assertThat(result.status()).isEqualTo(JobStatus.FAILED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.TIMEOUT);
        assertThat(store.calls).hasSize(2).last().isEqualTo("failJob:failed");
        assertThat(store.failures)
                .singleElement()
                .satisfies(f -> assertThat(f.keepCharge()).isFalse());
        assertThat(store.refunded).isEqualTo(2);
    }

    @Test
    void anImageRejectedWhileCopyingFailsTheJobAtOnce() {
        store.storeFailures.add(FakeFal.failure(FailureType.IMAGE_REJECTED, "not an image"));

        ImageGenerationResult result = newWorkflow().generate(input(1, 600));

        assertThat(result.status()).isEqualTo(JobStatus.FAILED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.IMAGE_REJECTED);
        assertThat(store.calls).containsExactly("storeImagesAndComplete:[0]", "failJob:failed");
    }

    @Test
    void falServerErrorsAndRateLimitsAreRetriedWithoutASecondRequest() {
        fal.submitFailures.add(FakeFal.failure(FailureType.FAL_UNAVAILABLE, "fal answered 503"));
        fal.submitFailures.add(FakeFal.failure(FailureType.FAL_UNAVAILABLE, "fal answered 429"));
        fal.statusFailures.add(FakeFal.failure(FailureType.FAL_UNAVAILABLE, "fal answered 500"));

        ImageGenerationResult result = newWorkflow().generate(input(1, 600));

        assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(fal.submitAttempts).hasValue(3);
        assertThat(fal.submitted).hasValue(1);
    }

    @Test
    void contentPolicyRejectionFailsAtOnceAndRefunds() {
        fal.submitFailures.add(FakeFal.failure(FailureType.FAL_INPUT_REJECTED, "content policy violation"));

        ImageGenerationResult result = newWorkflow().generate(input(1, 600));

        assertThat(result.status()).isEqualTo(JobStatus.FAILED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.CONTENT_POLICY);
        assertThat(result.errorMessage()).contains("content policy violation");
        assertThat(fal.submitAttempts).as("a 422 is not retried").hasValue(1);
        assertThat(store.failures)
                .singleElement()
                .satisfies(f -> assertThat(f.errorCode()).isEqualTo(JobErrorCode.CONTENT_POLICY));
        assertThat(store.finalStatus).isEqualTo(JobStatus.FAILED);
        assertThat(jobStatusAttribute()).isEqualTo("failed");
    }

    @Test
    void requestThatNeverFinishesTimesOutCancelsFalAndRefunds() {
        fal.stuckAt = "IN_PROGRESS";

        ImageGenerationResult result = newWorkflow().generate(input(1, 120));

        assertThat(result.status()).isEqualTo(JobStatus.FAILED);
        assertThat(result.errorCode()).isEqualTo(JobErrorCode.TIMEOUT);
        assertThat(fal.cancels)
                .singleElement()
                .satisfies(c -> assertThat(c.submission()).isNotNull());
        assertThat(store.failures)
                .singleElement()
                .satisfies(f -> assertThat(f.errorCode()).isEqualTo(JobErrorCode.TIMEOUT));
        // The stream keeps breaking; the safety poll (every 30 s) is slow: two minutes is a handful of checks.
        assertThat(fal.statusChecks.get()).isBetween(2, 6);
        assertThat(events.attempts.get()).isGreaterThan(1);
    }

    @Test
    void webhookSignalEndsTheWaitWithoutPollingOrStreaming() {
        fal.webhook = true;
        fal.stuckAt = "IN_PROGRESS";
        ImageGenerationWorkflow workflow = newWorkflow();
        WorkflowClient.start(workflow::generate, input(1, 600));
        awaitProgress(workflow, p -> p.falRequestId() != null);

        workflow.falCompleted(new ImageGenerationWorkflow.FalCompletion("req-other", true));
        workflow.falCompleted(new ImageGenerationWorkflow.FalCompletion("req-" + JOB, true));
        workflow.falCompleted(new ImageGenerationWorkflow.FalCompletion("req-" + JOB, true));
        ImageGenerationResult result = WorkflowStub.fromTyped(workflow).getResult(ImageGenerationResult.class);

        assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(store.stored).hasSize(1);
        assertThat(events.attempts).as("a registered webhook needs no stream").hasValue(0);
        assertThat(fal.statusChecks.get()).as("at most the safety poll").isLessThanOrEqualTo(1);
    }

    @Test
    void lostWebhookIsCaughtByTheSafetyPoll() {
        fal.webhook = true;
        fal.statusSequence = List.of("COMPLETED");

        ImageGenerationResult result = newWorkflow().generate(input(1, 600));

        assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(fal.statusChecks).hasValue(1);
        assertThat(events.attempts).hasValue(0);
        assertThat(TimerSummaries.of(env.getWorkflowClient().fetchHistory(WorkflowIds.imageGeneration(JOB))))
                .as("what the Web UI shows on the wait")
                .containsExactly(FalRequestFollower.SAFETY_POLL_SUMMARY);
    }

    @Test
    void cancelWhileQueuedCancelsFalRequestAndRefunds() {
        fal.stuckAt = "IN_QUEUE";
        assertCancelCleansUp(p -> "IN_QUEUE".equals(p.falStatus()));
    }

    @Test
    void cancelBeforeFalStartedIsRefundedEvenIfFalStartsDuringTheCancel() {
        fal.stuckAt = "IN_QUEUE";
        fal.workStarted = false;
        assertCancelCleansUp(p -> "IN_QUEUE".equals(p.falStatus()));
        assertThat(store.failures.getFirst().keepCharge()).isFalse();
        assertThat(store.refunded).isEqualTo(2);
    }

    @Test
    void cancelAfterFalStartedIsChargedAndKeepsTheImagesFalDelivers() {
        fal.stuckAt = "IN_PROGRESS";
        cancelOnceFalReports("IN_PROGRESS");

        assertThat(store.finalStatus).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(store.stored).hasSize(1);
        assertThat(fal.cancels).hasSize(1);
        assertThat(store.failures).isEmpty();
        assertThat(store.calls).endsWith("storeImagesAndComplete:[0]");
        assertThat(store.refunded).isZero();
    }

    @Test
    void cancelAfterFalStartedThatDeliversNothingEndsCanceledAndCharged() {
        fal.stuckAt = "IN_PROGRESS";
        fal.resultFailures.add(FakeFal.failure(FailureType.FAL_REQUEST_FAILED, "client_cancelled"));
        cancelOnceFalReports("IN_PROGRESS");

        assertThat(store.failures).singleElement().satisfies(f -> {
            assertThat(f.status()).isEqualTo(JobStatus.CANCELED);
            assertThat(f.keepCharge()).isTrue();
        });
        assertThat(store.refunded).isZero();
        assertThat(store.calls).noneMatch(call -> call.startsWith("storeImagesAndComplete"));
    }

    @Test
    void cancelThatFindsFalAlreadyWorkingChargesThoughTheWorkflowSawItQueued() {
        fal.stuckAt = "IN_QUEUE";
        fal.workStarted = true;
        fal.resultFailures.add(FakeFal.failure(FailureType.FAL_REQUEST_FAILED, "stopped"));
        cancelOnceFalReports("IN_QUEUE");

        assertThat(store.failures)
                .singleElement()
                .satisfies(f -> assertThat(f.keepCharge()).isTrue());
    }

    @Test
    void progressQueryReportsLiveState() {
        fal.stuckAt = "IN_QUEUE";
        ImageGenerationWorkflow workflow = newWorkflow();
        WorkflowClient.start(workflow::generate, input(2, 600));

        // IN_QUEUE from the submit at once; the queue position once fal reports it (here: the safety poll).
        awaitProgress(workflow, p -> "IN_QUEUE".equals(p.falStatus()));
        var progress = awaitProgress(workflow, p -> p.queuePosition() != null);

        assertThat(progress.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(progress.falRequestId()).isEqualTo("req-" + JOB);
        assertThat(progress.queuePosition()).isEqualTo(3);
        assertThat(progress.imagesExpected()).isEqualTo(2);
        WorkflowStub.fromTyped(workflow).cancel();
    }

    /**
     * Starts a one-image job, cancels it once the workflow saw {@code falStatus}, then lets fal
     * complete. Temporal closes a run whose cancel was requested as canceled; the job's record (the
     * fake store here) tells the outcome.
     */
    private void cancelOnceFalReports(String falStatus) {
        ImageGenerationWorkflow workflow = newWorkflow();
        WorkflowClient.start(workflow::generate, input(1, 600));
        awaitProgress(workflow, p -> falStatus.equals(p.falStatus()));

        WorkflowStub stub = WorkflowStub.fromTyped(workflow);
        stub.cancel();
        fal.stuckAt = null;
        fal.statusSequence = List.of("COMPLETED");

        assertThatThrownBy(() -> stub.getResult(ImageGenerationResult.class))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOf(CanceledFailure.class);
    }

    private void assertCancelCleansUp(Predicate<ImageGenerationWorkflow.GenerationProgress> reached) {
        ImageGenerationWorkflow workflow = newWorkflow();
        WorkflowClient.start(workflow::generate, input(1, 600));
        awaitProgress(workflow, reached);

        WorkflowStub stub = WorkflowStub.fromTyped(workflow);
        stub.cancel();

        assertThatThrownBy(() -> stub.getResult(ImageGenerationResult.class))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOf(CanceledFailure.class);
        assertThat(fal.cancels)
                .singleElement()
                .satisfies(c -> assertThat(c.submission()).isNotNull());
        assertThat(store.failures).singleElement().satisfies(f -> {
            assertThat(f.status()).isEqualTo(JobStatus.CANCELED);
            assertThat(f.errorCode()).isEqualTo(JobErrorCode.CANCELED);
        });
        assertThat(store.finalStatus).isEqualTo(JobStatus.CANCELED);
    }

    private ImageGenerationWorkflow.GenerationProgress awaitProgress(
            ImageGenerationWorkflow workflow, Predicate<ImageGenerationWorkflow.GenerationProgress> condition) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            var progress = workflow.progress();
            if (condition.test(progress)) {
                return progress;
            }
            env.sleep(Duration.ofMillis(500));
        }
        throw new AssertionError("workflow did not reach the expected state; last: " + workflow.progress());
    }

    private String jobStatusAttribute() {
        return env.getWorkflowClient()
                .newUntypedWorkflowStub(WorkflowIds.imageGeneration(JOB))
                .describe()
                .getTypedSearchAttributes()
                .get(FigureForgeSearchAttributes.JOB_STATUS);
    }

    private ImageGenerationWorkflow newWorkflow() {
        return env.getWorkflowClient()
                .newWorkflowStub(
                        ImageGenerationWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(WorkflowIds.imageGeneration(JOB))
                                .setTaskQueue(TaskQueues.WORKFLOWS)
                                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                                        .set(FigureForgeSearchAttributes.USER_ID, USER)
                                        .set(FigureForgeSearchAttributes.JOB_STATUS, JobStatus.QUEUED.wire())
                                        .build())
                                .build());
    }

    static ImageGenerationInput input(int images, long deadlineSeconds) {
        return new ImageGenerationInput(
                JOB,
                USER,
                new FalImageRequest("fal-ai/flux/dev", "a standing figure", "portrait_4_3", 42L, images, true, "png"),
                deadlineSeconds);
    }
}
