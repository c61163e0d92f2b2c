package com.figureforge.workflows.deletion;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.RetryPolicies;
import com.figureforge.workflows.SummarizedTimers;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.deletion.AccountDeletionActivities.BlockNewWorkInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.BlockNewWorkOutput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.CancelBillingInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.DeleteCognitoUserInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.DeleteImagesInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.DeleteItemsInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.DeleteWorkflowExecutionsInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.DeleteWorkflowExecutionsOutput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.FindRunningGenerationsInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.ListInFlightJobsInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.WriteTombstoneInput;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancelExternalWorkflowException;
import io.temporal.workflow.ExternalWorkflowStub;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Deletes an account, step by step (see {@link DeletionStep}). The rules that make it finish with nothing
 * left:
 *
 * <ul>
 *   <li>Every step retries without limit (with backoff): a deletion must not give up. The steps are
 *       idempotent, so a retry, a second run, or a worker crash mid-step is harmless.
 *   <li>New work is blocked before anything is deleted, and data is deleted only once no generation
 *       workflow of the user is running any more (or after {@link #SETTLE_TIMEOUT}, for one that will not
 *       stop). A generation activity that was already past its own check re-checks after writing and
 *       removes what it wrote (see {@code JobStoreActivitiesImpl}), and data deletion repeats in passes
 *       {@link #PASS_PAUSE} apart until a pass finds nothing, which also catches index entries that were
 *       not yet visible to the first pass.
 *   <li>The tombstone is written in the first step, before the profile is deleted, so a request that
 *       arrives after the profile is gone cannot create the user again.
 * </ul>
 */
public class AccountDeletionWorkflowImpl implements AccountDeletionWorkflow {

    private static final Logger log = Workflow.getLogger(AccountDeletionWorkflowImpl.class);

    /** How long to wait for canceled generation workflows to stop before deleting regardless. */
    static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(10);

    static final Duration FIRST_SETTLE_CHECK = Duration.ofSeconds(1);
    static final Duration MAX_SETTLE_CHECK = Duration.ofSeconds(15);

    /** Pause between data deletion passes: long enough for index entries written meanwhile to show. */
    static final Duration PASS_PAUSE = Duration.ofSeconds(10);

    /** Timer summaries in the Web UI: what each wait is for. */
    static final String SETTLE_CHECK_SUMMARY = "Cancellation re-check: are the canceled jobs stopped?";

    static final String NEXT_PASS_SUMMARY = "Next deletion pass: catch what was written meanwhile";

    /** Version marker of the step that deletes the user's closed workflow executions. */
    static final String DELETE_EXECUTIONS_CHANGE = "delete-workflow-executions";

    /** Passes stop here even if the last one found something (only a writer ignoring the flag could cause that). */
    static final int MAX_PASSES = 10;

    private DeletionStep step = DeletionStep.BLOCK_NEW_WORK;
    private final List<DeletionStep> completed = new ArrayList<>();
    private int jobsCanceled;
    private int jobsRunning;
    private long itemsDeleted;
    private long objectsDeleted;
    private int passes;
    private long executionsDeleted;

    @Override
    public AccountDeletionResult delete(AccountDeletionInput input) {
        String user = input.userId();
        if (user == null || user.isBlank()) {
            throw ApplicationFailure.newNonRetryableFailure("userId must not be blank", "INVALID_INPUT");
        }
        Instant requestedAt =
                input.requestedAt() != null ? input.requestedAt() : Instant.ofEpochMilli(Workflow.currentTimeMillis());
        Workflow.upsertTypedSearchAttributes(FigureForgeSearchAttributes.USER_ID.valueSet(user));

        begin(DeletionStep.BLOCK_NEW_WORK, "Blocking new work and writing the tombstone");
        BlockNewWorkOutput blocked =
                quick("Block new work, write tombstone").blockNewWork(new BlockNewWorkInput(user, requestedAt));
        done();

        begin(DeletionStep.CANCEL_JOBS, "Looking for running generation jobs");
        cancelJobs(user);
        done();

        begin(DeletionStep.CANCEL_BILLING, "Canceling Stripe subscriptions, deleting the Stripe customer");
        Set<String> customers = new LinkedHashSet<>();
        addIfPresent(customers, input.stripeCustomerId());
        addIfPresent(customers, blocked.stripeCustomerId());
        List<String> closed = quick("Cancel Stripe billing")
                .cancelBilling(new CancelBillingInput(user, List.copyOf(customers)))
                .customersClosed();
        done();

        // Added after deletions were recorded: runs from before replay without this step.
        if (Workflow.getVersion(DELETE_EXECUTIONS_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
            begin(DeletionStep.DELETE_WORKFLOW_EXECUTIONS, "Deleting the user's closed workflow executions");
            deleteWorkflowExecutions(user);
            done();
        }

        begin(DeletionStep.DELETE_DATA, "Deleting DynamoDB items and S3 objects");
        deleteData(user);
        done();

        begin(DeletionStep.DELETE_LOGIN, "Deleting the Cognito user");
        String username =
                input.cognitoUsername() == null || input.cognitoUsername().isBlank() ? user : input.cognitoUsername();
        LoginDeletion login = quick("Delete Cognito user")
                .deleteCognitoUser(new DeleteCognitoUserInput(user, username))
                .outcome();
        done();

        begin(DeletionStep.WRITE_TOMBSTONE, "Completing the tombstone");
        Instant deletedAt = quick("Complete tombstone")
                .writeTombstone(new WriteTombstoneInput(user, requestedAt))
                .deletedAt();
        done();

        step = DeletionStep.DONE;
        details("Deleted: " + itemsDeleted + " items, " + objectsDeleted + " objects in " + passes + " passes, "
                + jobsCanceled + " job(s) canceled, login " + login.name().toLowerCase(Locale.ROOT));
        return new AccountDeletionResult(
                user, jobsCanceled, closed, itemsDeleted, objectsDeleted, passes, login, deletedAt, executionsDeleted);
    }

    @Override
    public DeletionProgress progress() {
        return new DeletionProgress(
                step, List.copyOf(completed), jobsCanceled, jobsRunning, itemsDeleted, objectsDeleted, passes);
    }

    /**
     * Cancels every generation workflow of the user that is running, then waits until none is. A job
     * that holds an in-flight slot but has no running workflow (finished, never started) needs nothing.
     * Each running workflow is asked once: its cancel handler fails the job and frees the slot.
     */
    private void cancelJobs(String user) {
        Set<String> requested = new LinkedHashSet<>();
        long deadline = Workflow.currentTimeMillis() + SETTLE_TIMEOUT.toMillis();
        Duration wait = FIRST_SETTLE_CHECK;
        while (true) {
            List<String> inFlight = quick("List jobs in flight")
                    .listInFlightJobs(new ListInFlightJobsInput(user))
                    .jobIds();
            List<String> running = inFlight.isEmpty()
                    ? List.of()
                    : quick("Find running generation workflows")
                            .findRunningGenerations(new FindRunningGenerationsInput(inFlight))
                            .running();
            jobsRunning = running.size();
            List<String> toCancel = new ArrayList<>();
            for (String job : running) {
                if (requested.add(job)) {
                    toCancel.add(job);
                }
            }
            cancelGenerations(toCancel);
            jobsCanceled = requested.size();
            if (running.isEmpty()) {
                details("No generation job running");
                return;
            }
            if (Workflow.currentTimeMillis() >= deadline) {
                log.warn(
                        "Generation workflows of user {} still running after {}: deleting anyway: {}",
                        user,
                        SETTLE_TIMEOUT,
                        running);
                details("Still running after " + SETTLE_TIMEOUT + ", deleting anyway: " + running);
                return;
            }
            details("Waiting for " + running.size() + " canceled generation job(s) to stop: " + running);
            SummarizedTimers.sleep(wait, SETTLE_CHECK_SUMMARY);
            wait = Duration.ofMillis(Math.min(wait.toMillis() * 2, MAX_SETTLE_CHECK.toMillis()));
        }
    }

    /** Requests cancellation of each job's workflow, all at once; one that ended meanwhile is fine. */
    private static void cancelGenerations(List<String> jobIds) {
        Map<String, Promise<Void>> requests = new LinkedHashMap<>();
        for (String job : jobIds) {
            ExternalWorkflowStub generation = Workflow.newUntypedExternalWorkflowStub(WorkflowIds.imageGeneration(job));
            requests.put(job, Async.procedure(() -> generation.cancel()));
        }
        for (Map.Entry<String, Promise<Void>> request : requests.entrySet()) {
            try {
                request.getValue().get();
            } catch (CancelExternalWorkflowException ended) {
                log.info("Generation of job {} was not running any more: {}", request.getKey(), ended.getMessage());
            }
        }
    }

    /**
     * Runs after billing (which stops {@code subscription/<user>}) and before the data (which holds the
     * job ids). This run's own execution is the one that must outlive its last step: the namespace
     * retention removes it (docs/account-deletion.md).
     */
    private void deleteWorkflowExecutions(String user) {
        DeleteWorkflowExecutionsOutput output = sweep("Delete closed workflow executions")
                .deleteWorkflowExecutions(new DeleteWorkflowExecutionsInput(user));
        executionsDeleted = output.deleted();
        if (!output.supported()) {
            details("This Temporal server cannot delete executions: they stay until the namespace retention");
        }
    }

    /** Deletes items and objects in passes until a pass after the first finds nothing. */
    private void deleteData(String user) {
        while (true) {
            passes++;
            details("Pass " + passes + ": deleting DynamoDB items");
            long items = sweep("Delete DynamoDB items, pass " + passes)
                    .deleteItems(new DeleteItemsInput(user))
                    .deleted();
            itemsDeleted += items;
            details("Pass " + passes + ": deleting S3 objects");
            long objects = sweep("Delete S3 objects, pass " + passes)
                    .deleteImages(new DeleteImagesInput(user))
                    .deleted();
            objectsDeleted += objects;
            if (passes > 1 && items == 0 && objects == 0) {
                return;
            }
            if (passes >= MAX_PASSES) {
                log.warn(
                        "User {}: pass {} still found {} items and {} objects; stopping", user, passes, items, objects);
                return;
            }
            details("Pass " + passes + " deleted " + items + " items and " + objects + " objects; checking again in "
                    + PASS_PAUSE.toSeconds() + " s");
            SummarizedTimers.sleep(PASS_PAUSE, NEXT_PASS_SUMMARY);
        }
    }

    private void begin(DeletionStep next, String text) {
        step = next;
        details(text);
    }

    private void done() {
        completed.add(step);
    }

    private static void addIfPresent(Set<String> values, String value) {
        if (value != null && !value.isBlank()) {
            values.add(value);
        }
    }

    private static void details(String text) {
        Workflow.setCurrentDetails(text);
    }

    private static AccountDeletionActivities quick(String summary) {
        return Workflow.newActivityStub(
                AccountDeletionActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.STORAGE)
                        .setStartToCloseTimeout(Duration.ofMinutes(1))
                        .setRetryOptions(RetryPolicies.UNTIL_DONE)
                        .setSummary(summary)
                        .build());
    }

    /** Long, paginated steps: a heartbeat per page, so a dead worker is noticed in a minute, not in half an hour. */
    private static AccountDeletionActivities sweep(String summary) {
        return Workflow.newActivityStub(
                AccountDeletionActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.STORAGE)
                        .setStartToCloseTimeout(Duration.ofMinutes(30))
                        .setHeartbeatTimeout(Duration.ofMinutes(1))
                        .setRetryOptions(RetryPolicies.UNTIL_DONE)
                        .setSummary(summary)
                        .build());
    }
}
