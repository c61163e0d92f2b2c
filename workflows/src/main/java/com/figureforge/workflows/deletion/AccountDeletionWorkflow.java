package com.figureforge.workflows.deletion;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Instant;
import java.util.List;

/**
 * One run per user, id {@code account-deletion/<user>} ({@link com.figureforge.workflows.WorkflowIds#accountDeletion}):
 * blocks new work, cancels the user's running generation jobs and waits until they have stopped,
 * cancels billing, deletes the user's closed workflow executions from Temporal, deletes every DynamoDB
 * item and S3 object of the user (repeating until a pass finds nothing), deletes the Cognito user, and leaves only a tombstone without personal data. Every step
 * retries until it succeeds, so a run always finishes; a worker crash resumes at the step it stopped in.
 *
 * <p>Starting it twice is harmless: every step is idempotent. See {@code docs/account-deletion.md}.
 */
@WorkflowInterface
public interface AccountDeletionWorkflow {

    @WorkflowMethod
    AccountDeletionResult delete(AccountDeletionInput input);

    /** Live state for the API and the Web UI. */
    @QueryMethod
    DeletionProgress progress();

    /**
     * @param userId the user's id (the Cognito {@code sub})
     * @param stripeCustomerId the Stripe customer as the API saw it, or null; the billing step also
     *     closes the customer linked on the profile at that moment, if another
     * @param cognitoUsername the Cognito username (token claim {@code username}); null: the {@code sub}
     *     is used, which Cognito accepts for local users
     * @param requestedAt when the user asked, recorded in the tombstone
     */
    record AccountDeletionInput(String userId, String stripeCustomerId, String cognitoUsername, Instant requestedAt) {}

    /**
     * @param jobsCanceled generation workflows this run asked to cancel
     * @param stripeCustomersClosed Stripe customers whose subscriptions were canceled and which were deleted
     * @param itemsDeleted DynamoDB items deleted, over all passes
     * @param objectsDeleted S3 objects deleted, over all passes
     * @param passes data deletion passes; the last one found nothing (unless {@code passes} reached the cap)
     * @param executionsDeleted closed workflow executions of the user deleted from Temporal
     */
    record AccountDeletionResult(
            String userId,
            int jobsCanceled,
            List<String> stripeCustomersClosed,
            long itemsDeleted,
            long objectsDeleted,
            int passes,
            LoginDeletion login,
            Instant deletedAt,
            long executionsDeleted) {}

    /**
     * @param step the step running now ({@link DeletionStep#DONE} at the end)
     * @param completed the steps finished, in order
     * @param jobsRunning generation workflows still running at the last check
     */
    record DeletionProgress(
            DeletionStep step,
            List<DeletionStep> completed,
            int jobsCanceled,
            int jobsRunning,
            long itemsDeleted,
            long objectsDeleted,
            int passes) {}
}
