package com.figureforge.activities.deletion;

import com.figureforge.adapters.cognito.CognitoLogins;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.QuotaLedger;
import com.figureforge.adapters.data.UserDataEraser;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.adapters.stripe.BillingAccounts;
import com.figureforge.adapters.temporal.WorkflowExecutionEraser;
import com.figureforge.adapters.temporal.WorkflowExecutionEraser.DeletionUnsupportedException;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.billing.SubscriptionWorkflows;
import com.figureforge.workflows.deletion.AccountDeletionActivities;
import com.figureforge.workflows.generation.ImageGenerationWorkflows;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.WorkflowClient;
import io.temporal.spring.boot.ActivityImpl;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The steps of an account deletion. Each is idempotent: what is already gone counts as done, so the
 * workflow can retry any step any number of times. Logs carry the user id only, never personal data.
 */
@Component
@ActivityImpl(taskQueues = TaskQueues.STORAGE)
public class AccountDeletionActivitiesImpl implements AccountDeletionActivities {

    private static final Logger log = LoggerFactory.getLogger(AccountDeletionActivitiesImpl.class);

    private final UserRepository users;
    private final QuotaLedger quota;
    private final JobRepository jobs;
    private final UserDataEraser eraser;
    private final S3ImageStore store;
    private final Optional<BillingAccounts> billing;
    private final CognitoLogins logins;
    private final WorkflowClient temporal;
    private final WorkflowExecutionEraser executions;
    private final Clock clock;

    /** @param billing the billing provider; empty where none is configured (a Stripe customer then cannot be closed) */
    public AccountDeletionActivitiesImpl(
            UserRepository users,
            QuotaLedger quota,
            JobRepository jobs,
            UserDataEraser eraser,
            S3ImageStore store,
            Optional<BillingAccounts> billing,
            CognitoLogins logins,
            WorkflowClient temporal,
            Clock clock) {
        this.users = users;
        this.quota = quota;
        this.jobs = jobs;
        this.eraser = eraser;
        this.store = store;
        this.billing = billing;
        this.logins = logins;
        this.temporal = temporal;
        this.executions = new WorkflowExecutionEraser(
                temporal.getWorkflowServiceStubs(), temporal.getOptions().getNamespace());
        this.clock = clock;
    }

    @Override
    public BlockNewWorkOutput blockNewWork(BlockNewWorkInput input) {
        String user = input.userId();
        // Flag first (new work is refused from here on), then the tombstone (before any profile is deleted).
        boolean marked = users.markDeleting(user);
        users.writeTombstone(user, input.requestedAt() == null ? clock.instant() : input.requestedAt());
        String customer = users.find(user).map(UserRecord::stripeCustomerId).orElse(null);
        log.info("account deletion of user {}: new work blocked (flag set {})", user, marked ? "now" : "before");
        return new BlockNewWorkOutput(marked, customer);
    }

    @Override
    public ListInFlightJobsOutput listInFlightJobs(ListInFlightJobsInput input) {
        return new ListInFlightJobsOutput(new ArrayList<>(quota.inFlightJobs(input.userId())));
    }

    @Override
    public FindRunningGenerationsOutput findRunningGenerations(FindRunningGenerationsInput input) {
        List<String> running = new ArrayList<>();
        for (String job : input.jobIds()) {
            if (ImageGenerationWorkflows.running(temporal, job)) {
                running.add(job);
            }
        }
        return new FindRunningGenerationsOutput(running);
    }

    @Override
    public CancelBillingOutput cancelBilling(CancelBillingInput input) {
        String user = input.userId();
        stopSubscriptionWorkflow(user);
        Set<String> customers = new LinkedHashSet<>();
        if (input.stripeCustomerIds() != null) {
            input.stripeCustomerIds().stream()
                    .filter(id -> id != null && !id.isBlank())
                    .forEach(customers::add);
        }
        // A checkout that completed after the deletion was requested may have linked a customer since.
        users.find(user).map(UserRecord::stripeCustomerId).ifPresent(customers::add);
        if (customers.isEmpty()) {
            return new CancelBillingOutput(List.of());
        }
        BillingAccounts accounts = billing.orElseThrow(() -> new IllegalStateException(
                "no billing provider is configured: cannot close the Stripe customer(s) of user " + user));
        for (String customer : customers) {
            String key = "account-deletion-" + user + "-" + customer;
            accounts.cancelAllSubscriptions(customer, key + "-cancel-subscriptions");
            accounts.deleteCustomer(customer, key + "-delete-customer");
            log.info("account deletion of user {}: Stripe customer {} closed", user, customer);
        }
        return new CancelBillingOutput(List.copyOf(customers));
    }

    /**
     * The user's subscription workflow would otherwise outlive them, re-applying plans to nobody. It is
     * terminated (it holds nothing to clean up) before billing is closed; the webhook ignores the
     * cancellation events Stripe then sends for a user who is being deleted.
     */
    private void stopSubscriptionWorkflow(String userId) {
        SubscriptionWorkflows.terminate(temporal, userId, "account deleted");
    }

    @Override
    public DeleteWorkflowExecutionsOutput deleteWorkflowExecutions(DeleteWorkflowExecutionsInput input) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        long before = context.getHeartbeatDetails(Long.class).orElse(0L);
        String user = input.userId();
        List<String> workflowIds = new ArrayList<>();
        jobs.forEachJobIdOfUser(user, job -> workflowIds.add(WorkflowIds.imageGeneration(job)));
        workflowIds.add(WorkflowIds.subscription(user));
        workflowIds.add(WorkflowIds.accountDeletion(user));
        // The deletion's own run is still running; it is kept anyway, should it be listed.
        String ownRun = context.getInfo().getRunId();
        long deleted = 0;
        try {
            for (String workflowId : workflowIds) {
                deleted += executions.deleteClosedRuns(workflowId, ownRun);
                context.heartbeat(before + deleted);
            }
        } catch (DeletionUnsupportedException unsupported) {
            log.warn(
                    "account deletion of user {}: the Temporal server does not implement DeleteWorkflowExecution;"
                            + " the user's closed workflow executions ({} workflow ids) stay until the namespace"
                            + " retention removes them",
                    user,
                    workflowIds.size());
            return new DeleteWorkflowExecutionsOutput(before + deleted, false);
        }
        log.info("account deletion of user {}: {} closed workflow execution(s) deleted", user, before + deleted);
        return new DeleteWorkflowExecutionsOutput(before + deleted, true);
    }

    @Override
    public DeleteItemsOutput deleteItems(DeleteItemsInput input) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        long before = context.getHeartbeatDetails(Long.class).orElse(0L);
        long deleted = eraser.erase(input.userId(), count -> context.heartbeat(before + count));
        return new DeleteItemsOutput(before + deleted);
    }

    @Override
    public DeleteImagesOutput deleteImages(DeleteImagesInput input) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        long before = context.getHeartbeatDetails(Long.class).orElse(0L);
        long deleted = store.deleteAllForUser(input.userId(), count -> context.heartbeat(before + count));
        return new DeleteImagesOutput(before + deleted);
    }

    @Override
    public DeleteCognitoUserOutput deleteCognitoUser(DeleteCognitoUserInput input) {
        return new DeleteCognitoUserOutput(logins.delete(input.username()));
    }

    @Override
    public WriteTombstoneOutput writeTombstone(WriteTombstoneInput input) {
        Instant requestedAt = input.requestedAt() == null ? clock.instant() : input.requestedAt();
        Instant deletedAt = users.completeTombstone(input.userId(), requestedAt, clock.instant())
                .deletedAt();
        log.info("account deletion of user {} finished", input.userId());
        return new WriteTombstoneOutput(deletedAt);
    }
}
