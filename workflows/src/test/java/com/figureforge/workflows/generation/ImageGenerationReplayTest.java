package com.figureforge.workflows.generation;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.RecordedHistories;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guards determinism: histories recorded from earlier builds must replay against today's code. A
 * change that fails here needs {@code Workflow.getVersion}, not a new recording. Record a new
 * history (after an intended, versioned change) with {@code -Dfigureforge.recordHistories=true}.
 */
class ImageGenerationReplayTest {

    /** Recorded before {@link ImageGenerationWorkflowImpl#FAL_EVENTS}: polling, a separate mark-running step. */
    private static final String RECORDED = "/histories/image-generation-blocked-image.json";

    /** Recorded with {@link ImageGenerationWorkflowImpl#FAL_EVENTS}, before the lean finish: a step per image. */
    private static final String RECORDED_FAL_EVENTS = "/histories/image-generation-fal-events.json";

    /** Recorded with the lean finish, before {@link FalRequestFollower#QUIET_WAIT_ENDS}: the ended wait's timer canceled. */
    private static final String RECORDED_LEAN_FINISH = "/histories/image-generation-lean-finish.json";

    private static final String RECORDED_QUIET_WAIT_ENDS = "/histories/image-generation-quiet-wait-ends.json";

    @Test
    void recordedHistoryReplaysAgainstCurrentCode() throws Exception {
        RecordedHistories.replayRecorded(RECORDED, ImageGenerationWorkflowImpl.class);
    }

    /**
     * Recorded before the cost-aware cancel (every cancel refunded): the version marker keeps such
     * runs on their old path when a worker replays them.
     */
    @Test
    void cancelRecordedBeforeTheCostRuleReplays() throws Exception {
        RecordedHistories.replayRecorded(
                "/histories/image-generation-canceled-while-running.json", ImageGenerationWorkflowImpl.class);
    }

    /**
     * Recorded with {@link ImageGenerationWorkflowImpl#FAL_EVENTS}: submit marks the job running, the
     * status stream ends the wait and brings the result.
     */
    @Test
    void runRecordedWithFalEventsReplays() throws Exception {
        RecordedHistories.replayRecorded(RECORDED_FAL_EVENTS, ImageGenerationWorkflowImpl.class);
    }

    /**
     * Recorded with {@link ImageGenerationWorkflowImpl#LEAN_FINISH}: one step copies the allowed image and
     * completes the job.
     */
    @Test
    void runRecordedWithTheLeanFinishReplays() throws Exception {
        RecordedHistories.replayRecorded(RECORDED_LEAN_FINISH, ImageGenerationWorkflowImpl.class);
    }

    /** Recorded with {@link FalRequestFollower#QUIET_WAIT_ENDS}: the ended wait's timer is left to fire. */
    @Test
    void runRecordedLeavingEndedWaitsAloneReplays() throws Exception {
        RecordedHistories.replayRecorded(RECORDED_QUIET_WAIT_ENDS, ImageGenerationWorkflowImpl.class);
    }

    @Test
    void freshHistoryReplaysAndCanBeRecorded() throws Exception {
        RecordedHistories.replayFresh(
                runAndFetchHistory(), RECORDED_QUIET_WAIT_ENDS, ImageGenerationWorkflowImpl.class);
    }

    /**
     * The stream ended the wait: nothing is canceled, since a cancel racing a timer that fires or an
     * activity that completes gets the workflow task rejected by the Java test server (the local stack's
     * Temporal), which left jobs stuck in the benchmark.
     */
    @Test
    void anEndedWaitCancelsNeitherItsTimerNorItsStream() {
        List<EventType> events = runAndFetchHistory().getEvents().stream()
                .map(HistoryEvent::getEventType)
                .toList();
        assertThat(events)
                .contains(EventType.EVENT_TYPE_TIMER_STARTED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
        assertThat(events)
                .doesNotContain(
                        EventType.EVENT_TYPE_TIMER_CANCELED, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
    }

    private static WorkflowExecutionHistory runAndFetchHistory() {
        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            env.registerSearchAttribute(
                    FigureForgeSearchAttributes.USER_ID.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
            env.registerSearchAttribute(
                    FigureForgeSearchAttributes.JOB_STATUS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
            FakeFal fal = new FakeFal();
            fal.nsfw = List.of(false, true);
            env.newWorker(TaskQueues.WORKFLOWS).registerWorkflowImplementationTypes(ImageGenerationWorkflowImpl.class);
            env.newWorker(TaskQueues.FAL).registerActivitiesImplementations(fal);
            env.newWorker(TaskQueues.FAL_EVENTS).registerActivitiesImplementations(new FakeFalEvents(fal));
            env.newWorker(TaskQueues.STORAGE).registerActivitiesImplementations(new FakeJobStore());
            env.start();
            String workflowId = WorkflowIds.imageGeneration("job-replay");
            ImageGenerationWorkflow workflow = env.getWorkflowClient()
                    .newWorkflowStub(
                            ImageGenerationWorkflow.class,
                            WorkflowOptions.newBuilder()
                                    .setWorkflowId(workflowId)
                                    .setTaskQueue(TaskQueues.WORKFLOWS)
                                    .setTypedSearchAttributes(SearchAttributes.newBuilder()
                                            .set(FigureForgeSearchAttributes.USER_ID, "alice")
                                            .build())
                                    .build());
            workflow.generate(ImageGenerationWorkflowTest.input(2, 600));
            return env.getWorkflowClient().fetchHistory(workflowId);
        }
    }
}
