package com.figureforge.workflows.deletion;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Instant;
import java.util.List;

/**
 * The steps of an account deletion. Runs on {@link com.figureforge.workflows.TaskQueues#STORAGE}.
 * Every method is idempotent and safe to repeat at any point: what is already gone counts as done.
 * Failures are all retryable; the workflow retries each step until it succeeds.
 *
 * <p>The long steps ({@link #deleteItems}, {@link #deleteImages}) heartbeat after every page with the
 * running count of what they deleted, and a retry carries on from the count in the last heartbeat: the
 * listing itself resumes on its own, since what was deleted is no longer listed.
 */
@ActivityInterface(namePrefix = "AccountDeletion")
public interface AccountDeletionActivities {

    /**
     * Flags the profile as deleting (the API and the generation activities refuse new work from then on)
     * and writes the tombstone, so that no request can create the user again once the profile is gone.
     */
    @ActivityMethod
    BlockNewWorkOutput blockNewWork(BlockNewWorkInput input);

    /** The user's jobs holding an in-flight slot (queued or running, as far as the ledger knows). */
    @ActivityMethod
    ListInFlightJobsOutput listInFlightJobs(ListInFlightJobsInput input);

    /** Which of these jobs still have a running generation workflow ({@code image-generation/<job>}). */
    @ActivityMethod
    FindRunningGenerationsOutput findRunningGenerations(FindRunningGenerationsInput input);

    /**
     * Cancels every subscription of the given Stripe customers, and of the customer linked on the profile
     * now, and deletes those customers. A customer that is already gone counts as done.
     */
    @ActivityMethod
    CancelBillingOutput cancelBilling(CancelBillingInput input);

    /**
     * Deletes the user's closed workflow executions from Temporal: {@code image-generation/<job>} of every
     * job of the user (listed before the data is deleted), {@code subscription/<user>} (stopped by
     * {@link #cancelBilling} before) and earlier runs of {@code account-deletion/<user>}, never the calling
     * run. Heartbeats per workflow id. A server that cannot delete executions (the Java test server)
     * answers {@code supported = false}: they then stay until the namespace retention removes them.
     */
    @ActivityMethod
    DeleteWorkflowExecutionsOutput deleteWorkflowExecutions(DeleteWorkflowExecutionsInput input);

    /**
     * Deletes every DynamoDB item of the user but the tombstone: the {@code USER#{id}} partition
     * (profile, quota, in-flight set, idempotency keys) and everything listed under the user in
     * {@code gsi2} (jobs, images, and with the images their gallery entries). Heartbeats per page.
     */
    @ActivityMethod
    DeleteItemsOutput deleteItems(DeleteItemsInput input);

    /** Deletes every S3 object under {@code images/{user}/}. Heartbeats per page. */
    @ActivityMethod
    DeleteImagesOutput deleteImages(DeleteImagesInput input);

    /** Deletes the Cognito user (AdminDeleteUser); a missing user counts as done; skipped without a pool. */
    @ActivityMethod
    DeleteCognitoUserOutput deleteCognitoUser(DeleteCognitoUserInput input);

    /** Completes the tombstone with the time the deletion finished (keeps the first such time). */
    @ActivityMethod
    WriteTombstoneOutput writeTombstone(WriteTombstoneInput input);

    record BlockNewWorkInput(String userId, Instant requestedAt) {}

    /**
     * @param markedNow whether this call set the deleting flag (false: set before, or no profile)
     * @param stripeCustomerId the Stripe customer linked on the profile, if any
     */
    record BlockNewWorkOutput(boolean markedNow, String stripeCustomerId) {}

    record ListInFlightJobsInput(String userId) {}

    record ListInFlightJobsOutput(List<String> jobIds) {}

    record FindRunningGenerationsInput(List<String> jobIds) {}

    /** @param running the jobs whose generation workflow is still running */
    record FindRunningGenerationsOutput(List<String> running) {}

    record CancelBillingInput(String userId, List<String> stripeCustomerIds) {}

    record CancelBillingOutput(List<String> customersClosed) {}

    record DeleteWorkflowExecutionsInput(String userId) {}

    /**
     * @param deleted runs deleted by this activity, over all its attempts
     * @param supported false when the Temporal server does not implement DeleteWorkflowExecution
     */
    record DeleteWorkflowExecutionsOutput(long deleted, boolean supported) {}

    record DeleteItemsInput(String userId) {}

    /** @param deleted items deleted by this activity, over all its attempts */
    record DeleteItemsOutput(long deleted) {}

    record DeleteImagesInput(String userId) {}

    /** @param deleted objects deleted by this activity, over all its attempts */
    record DeleteImagesOutput(long deleted) {}

    /** @param username the Cognito username, or the {@code sub} */
    record DeleteCognitoUserInput(String userId, String username) {}

    record DeleteCognitoUserOutput(LoginDeletion outcome) {}

    record WriteTombstoneInput(String userId, Instant requestedAt) {}

    record WriteTombstoneOutput(Instant deletedAt) {}
}
