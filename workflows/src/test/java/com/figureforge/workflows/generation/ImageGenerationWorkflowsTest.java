package com.figureforge.workflows.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.GenerationProgress;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.ImageGenerationInput;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.ImageGenerationResult;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The starter every caller uses: id, queue and attributes of a job's run, and its lookups. */
class ImageGenerationWorkflowsTest {

    private TestWorkflowEnvironment env;

    /** Stands in for the real workflow: the starter's contract does not depend on what the run does. */
    public static class WaitingGeneration implements ImageGenerationWorkflow {
        @Override
        public ImageGenerationResult generate(ImageGenerationInput input) {
            Workflow.await(() -> false);
            return null;
        }

        @Override
        public void falCompleted(ImageGenerationWorkflow.FalCompletion completion) {}

        @Override
        public void falStatusChanged(ImageGenerationWorkflow.FalStatusUpdate update) {}

        @Override
        public GenerationProgress progress() {
            return new GenerationProgress(JobStatus.QUEUED, null, null, 3, 0, 2, null);
        }
    }

    @BeforeEach
    void startEnvironment() {
        env = TestWorkflowEnvironment.newInstance();
        env.registerSearchAttribute(
                FigureForgeSearchAttributes.USER_ID.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        env.registerSearchAttribute(
                FigureForgeSearchAttributes.JOB_STATUS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        env.newWorker(TaskQueues.WORKFLOWS).registerWorkflowImplementationTypes(WaitingGeneration.class);
        env.start();
    }

    @AfterEach
    void stopEnvironment() {
        env.close();
    }

    @Test
    void startsTheJobsRunOnceWithItsIdQueueAndAttributes() {
        var client = env.getWorkflowClient();
        var input = input("job-1");

        var execution = ImageGenerationWorkflows.start(client, input);

        assertThat(execution.getWorkflowId()).isEqualTo(WorkflowIds.imageGeneration("job-1"));
        WorkflowExecutionDescription run =
                client.newUntypedWorkflowStub(execution.getWorkflowId()).describe();
        assertThat(run.getTaskQueue()).isEqualTo(TaskQueues.WORKFLOWS);
        assertThat(run.getTypedSearchAttributes().get(FigureForgeSearchAttributes.USER_ID))
                .isEqualTo("alice");
        assertThat(run.getTypedSearchAttributes().get(FigureForgeSearchAttributes.JOB_STATUS))
                .isEqualTo("queued");
        // Ids only: no username and no prompt in what the Web UI keeps.
        var options = ImageGenerationWorkflows.options(input);
        assertThat(options.getStaticSummary()).isEqualTo("2 image(s) for user alice");
        assertThat(options.getStaticDetails())
                .startsWith("job job-1, model ")
                .doesNotContain(input.request().prompt());
        assertThatThrownBy(() -> ImageGenerationWorkflows.start(client, input))
                .isInstanceOf(WorkflowExecutionAlreadyStarted.class);
    }

    @Test
    void looksUpProgressRunningAndCancelsByJobId() {
        var client = env.getWorkflowClient();
        ImageGenerationWorkflows.start(client, input("job-2"));

        assertThat(ImageGenerationWorkflows.progress(client, "job-2").queuePosition())
                .isEqualTo(3);
        assertThat(ImageGenerationWorkflows.running(client, "job-2")).isTrue();

        ImageGenerationWorkflows.cancel(client, "job-2");
        env.sleep(Duration.ofSeconds(1));

        assertThat(ImageGenerationWorkflows.running(client, "job-2")).isFalse();
    }

    @Test
    void aJobWithoutARunIsNotRunningAndCannotBeCanceled() {
        var client = env.getWorkflowClient();

        assertThat(ImageGenerationWorkflows.running(client, "never-started")).isFalse();
        assertThatThrownBy(() -> ImageGenerationWorkflows.cancel(client, "never-started"))
                .isInstanceOf(WorkflowNotFoundException.class);
    }

    private static ImageGenerationInput input(String jobId) {
        return new ImageGenerationInput(
                jobId,
                "alice",
                new FalImageRequest("fal-ai/flux/dev", "a figure", "portrait_4_3", 1L, 2, true, "png"),
                600);
    }
}
