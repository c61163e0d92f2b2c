package com.figureforge.workflows.generation;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.FalCompletion;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.GenerationProgress;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.ImageGenerationInput;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;

/** How callers (the API, account deletion) start and reach a job's {@link ImageGenerationWorkflow}. */
public final class ImageGenerationWorkflows {

    private ImageGenerationWorkflows() {}

    /**
     * Options of a job's workflow: id {@code image-generation/<job>}, workflows queue, user and job status
     * attributes, and a summary and details that carry ids only: what operators see in the Web UI outlives
     * nothing of the user's (no username, no prompt; the job record in DynamoDB holds those).
     */
    public static WorkflowOptions options(ImageGenerationInput input) {
        FalImageRequest request = input.request();
        return WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.imageGeneration(input.jobId()))
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .setStaticSummary(request.numImages() + " image(s) for user " + input.userId())
                .setStaticDetails("job " + input.jobId() + ", model " + request.modelId())
                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                        .set(FigureForgeSearchAttributes.USER_ID, input.userId())
                        .set(FigureForgeSearchAttributes.JOB_STATUS, JobStatus.QUEUED.wire())
                        .build())
                .build();
    }

    /**
     * Starts the job's workflow.
     *
     * @throws io.temporal.client.WorkflowExecutionAlreadyStarted if the job's workflow was started before
     */
    public static WorkflowExecution start(WorkflowClient client, ImageGenerationInput input) {
        ImageGenerationWorkflow workflow = client.newWorkflowStub(ImageGenerationWorkflow.class, options(input));
        return WorkflowClient.start(workflow::generate, input);
    }

    /** A stub of the job's workflow, for its {@link ImageGenerationWorkflow#progress()} query. */
    public static ImageGenerationWorkflow existing(WorkflowClient client, String jobId) {
        return client.newWorkflowStub(ImageGenerationWorkflow.class, WorkflowIds.imageGeneration(jobId));
    }

    /** The job's live state (a query: the workflow's worker must be up to answer). */
    public static GenerationProgress progress(WorkflowClient client, String jobId) {
        return existing(client, jobId).progress();
    }

    /**
     * Tells the job's workflow that fal finished its request (a verified fal webhook).
     *
     * @return false when the workflow is gone or closed: nothing left to tell
     */
    public static boolean signalFalCompleted(WorkflowClient client, String jobId, FalCompletion completion) {
        try {
            existing(client, jobId).falCompleted(completion);
            return true;
        } catch (WorkflowNotFoundException closed) {
            return false;
        }
    }

    /** Whether the job's workflow exists and has not closed. */
    public static boolean running(WorkflowClient client, String jobId) {
        try {
            return client.newUntypedWorkflowStub(WorkflowIds.imageGeneration(jobId))
                            .describe()
                            .getStatus()
                    == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
        } catch (WorkflowNotFoundException never) {
            return false;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return false; // never started (or its history is gone)
            }
            throw e;
        }
    }

    /**
     * Asks the job's workflow to cancel; it cancels the fal request and settles the job.
     *
     * @throws WorkflowNotFoundException if the job has no workflow (it never started)
     */
    public static void cancel(WorkflowClient client, String jobId) {
        client.newUntypedWorkflowStub(WorkflowIds.imageGeneration(jobId)).cancel();
    }
}
