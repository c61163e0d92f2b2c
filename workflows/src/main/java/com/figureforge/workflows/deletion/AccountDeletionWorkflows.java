package com.figureforge.workflows.deletion;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.deletion.AccountDeletionWorkflow.AccountDeletionInput;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;

/** How callers (the API) start and reach a user's {@link AccountDeletionWorkflow}. */
public final class AccountDeletionWorkflows {

    private AccountDeletionWorkflows() {}

    /** Options of a user's deletion: id {@code account-deletion/<user>}, workflows queue, user attribute. */
    public static WorkflowOptions options(AccountDeletionInput input) {
        return WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.accountDeletion(input.userId()))
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .setStaticSummary("Delete the account of user " + input.userId())
                .setStaticDetails("Blocks new work, cancels running jobs and billing, deletes every S3 object,"
                        + " DynamoDB item and the Cognito user")
                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                        .set(FigureForgeSearchAttributes.USER_ID, input.userId())
                        .build())
                .build();
    }

    /**
     * Starts the user's deletion.
     *
     * @throws io.temporal.client.WorkflowExecutionAlreadyStarted if it runs already (repeating is harmless)
     */
    public static WorkflowExecution start(WorkflowClient client, AccountDeletionInput input) {
        AccountDeletionWorkflow workflow = client.newWorkflowStub(AccountDeletionWorkflow.class, options(input));
        return WorkflowClient.start(workflow::delete, input);
    }

    /** A stub of the user's deletion, for its {@link AccountDeletionWorkflow#progress()} query. */
    public static AccountDeletionWorkflow existing(WorkflowClient client, String userId) {
        return client.newWorkflowStub(AccountDeletionWorkflow.class, WorkflowIds.accountDeletion(userId));
    }
}
