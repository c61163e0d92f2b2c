package com.figureforge.workflows.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.workflows.RecordedHistories;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.generation.FalImageRequest;
import com.figureforge.workflows.generation.ImageGenerationWorkflow;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.ImageGenerationInput;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import org.junit.jupiter.api.Test;

/**
 * Guards determinism: a deletion recorded from an earlier build (one running job canceled, a retried
 * step, a data pass that found stragglers) must replay against today's code. A change that fails here
 * needs {@code Workflow.getVersion}, not a new recording. Record a new history (after an intended,
 * versioned change) with {@code -Dfigureforge.recordHistories=true}.
 */
class AccountDeletionReplayTest {

    private static final String RECORDED = "/histories/account-deletion-deleting-executions.json";

    @Test
    void recordedHistoryReplaysAgainstCurrentCode() throws Exception {
        RecordedHistories.replayRecorded(RECORDED, AccountDeletionWorkflowImpl.class);
    }

    /**
     * Recorded before the step that deletes the user's workflow executions: the version marker keeps
     * such runs on their old path when a worker replays them.
     */
    @Test
    void deletionRecordedBeforeTheExecutionsStepReplays() throws Exception {
        RecordedHistories.replayRecorded(
                "/histories/account-deletion-with-running-job.json", AccountDeletionWorkflowImpl.class);
    }

    @Test
    void freshHistoryReplaysAndCanBeRecorded() throws Exception {
        RecordedHistories.replayFresh(runAndFetchHistory(), RECORDED, AccountDeletionWorkflowImpl.class);
    }

    private static WorkflowExecutionHistory runAndFetchHistory() {
        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            AccountDeletionWorkflowTest.registerSearchAttributes(env);
            FakeDeletionActivities activities = new FakeDeletionActivities(env.getWorkflowClient());
            activities.failTimes("cancelBilling", 1);
            activities.lateItems.set(2);
            AccountDeletionWorkflowTest.registerWorkers(env.getWorkerFactory(), activities);
            env.start();

            activities.inFlight.add("job-replay");
            ImageGenerationWorkflow generation = env.getWorkflowClient()
                    .newWorkflowStub(
                            ImageGenerationWorkflow.class,
                            WorkflowOptions.newBuilder()
                                    .setWorkflowId(WorkflowIds.imageGeneration("job-replay"))
                                    .setTaskQueue(TaskQueues.WORKFLOWS)
                                    .build());
            WorkflowClient.start(
                    generation::generate,
                    new ImageGenerationInput(
                            "job-replay",
                            AccountDeletionWorkflowTest.USER,
                            new FalImageRequest("fal-ai/flux/dev", "a figure", "portrait_4_3", 1L, 1, true, "png"),
                            600));

            String workflowId = WorkflowIds.accountDeletion(AccountDeletionWorkflowTest.USER);
            var result = env.getWorkflowClient()
                    .newWorkflowStub(
                            AccountDeletionWorkflow.class,
                            WorkflowOptions.newBuilder()
                                    .setWorkflowId(workflowId)
                                    .setTaskQueue(TaskQueues.WORKFLOWS)
                                    .build())
                    .delete(AccountDeletionWorkflowTest.input("cus_123", "alice"));
            assertThat(result.jobsCanceled()).isEqualTo(1);
            assertThat(result.passes()).isEqualTo(3);
            assertThat(result.executionsDeleted()).isEqualTo(4);
            return env.getWorkflowClient().fetchHistory(workflowId);
        }
    }
}
