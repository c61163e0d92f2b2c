package com.figureforge.activities.deletion;

import com.figureforge.activities.billing.BillingAccounts;
import com.figureforge.activities.data.AccountEraser;
import com.figureforge.activities.data.QuotaLedger;
import com.figureforge.activities.data.UserRecord;
import com.figureforge.activities.data.UserRepository;
import com.figureforge.activities.storage.S3ImageStore;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.deletion.AccountDeletionActivities;
import com.figureforge.workflows.deletion.LoginDeletion;
import io.temporal.activity.Activity;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.spring.boot.ActivityImpl;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.cognitoidentityprovider.model.UserNotFoundException;

/**
 * The steps of account deletion. Each is idempotent: what is gone counts as done, and the long steps
 * heartbeat their running count so a retry reports the total (the listing resumes by itself, since
 * deleted things are no longer listed).
 */
@Component
@ActivityImpl(taskQueues = TaskQueues.STORAGE)
public class AccountDeletionActivitiesImpl implements AccountDeletionActivities {

    private final UserRepository users;
    private final AccountEraser eraser;
    private final QuotaLedger ledger;
    private final S3ImageStore images;
    private final BillingAccounts billing;
    private final CognitoIdentityProviderClient cognito;
    private final CognitoSettings cognitoSettings;
    private final WorkflowClient temporal;

    public AccountDeletionActivitiesImpl(
            UserRepository users,
            AccountEraser eraser,
            QuotaLedger ledger,
            S3ImageStore images,
            BillingAccounts billing,
            CognitoIdentityProviderClient cognito,
            CognitoSettings cognitoSettings,
            WorkflowClient temporal) {
        this.users = users;
        this.eraser = eraser;
        this.ledger = ledger;
        this.images = images;
        this.billing = billing;
        this.cognito = cognito;
        this.cognitoSettings = cognitoSettings;
        this.temporal = temporal;
    }

    @Override
    public BlockNewWorkOutput blockNewWork(BlockNewWorkInput input) {
        eraser.writeTombstone(input.userId(), input.requestedAt());
        boolean marked = users.markDeleting(input.userId());
        String customer =
                users.find(input.userId()).map(UserRecord::stripeCustomerId).orElse(null);
        return new BlockNewWorkOutput(marked, customer);
    }

    @Override
    public ListInFlightJobsOutput listInFlightJobs(ListInFlightJobsInput input) {
        return new ListInFlightJobsOutput(List.copyOf(ledger.inFlightJobs(input.userId())));
    }

    @Override
    public FindRunningGenerationsOutput findRunningGenerations(FindRunningGenerationsInput input) {
        List<String> running = new ArrayList<>();
        for (String job : input.jobIds()) {
            try {
                var status = temporal.newUntypedWorkflowStub(WorkflowIds.imageGeneration(job))
                        .describe()
                        .getStatus();
                if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
                    running.add(job);
                }
            } catch (WorkflowNotFoundException neverStarted) {
                // nothing runs for this job
            }
        }
        return new FindRunningGenerationsOutput(running);
    }

    @Override
    public CancelBillingOutput cancelBilling(CancelBillingInput input) {
        Set<String> customers = new LinkedHashSet<>(input.stripeCustomerIds());
        users.find(input.userId())
                .map(UserRecord::stripeCustomerId)
                .filter(id -> !id.isBlank())
                .ifPresent(customers::add);
        stopSubscriptionWorkflow(input.userId());
        List<String> closed = new ArrayList<>();
        for (String customer : customers) {
            billing.cancelAllSubscriptions(customer, "account-deletion-" + input.userId() + "-" + customer);
            billing.deleteCustomer(customer, "account-deletion-customer-" + input.userId() + "-" + customer);
            closed.add(customer);
        }
        return new CancelBillingOutput(closed);
    }

    /**
     * The user's subscription workflow would otherwise outlive them, re-applying plans to nobody. It is
     * terminated (it holds nothing to clean up) before billing is closed; the webhook ignores the
     * cancellation events Stripe then sends for a user who is being deleted.
     */
    private void stopSubscriptionWorkflow(String userId) {
        try {
            temporal.newUntypedWorkflowStub(WorkflowIds.subscription(userId)).terminate("account deleted");
        } catch (WorkflowNotFoundException notRunning) {
            // never subscribed, or already stopped
        }
    }

    @Override
    public DeleteItemsOutput deleteItems(DeleteItemsInput input) {
        long before = resumedCount();
        long deleted = eraser.deleteAllItems(input.userId(), count -> heartbeat(before + count));
        return new DeleteItemsOutput(before + deleted);
    }

    @Override
    public DeleteImagesOutput deleteImages(DeleteImagesInput input) {
        long before = resumedCount();
        long deleted = images.deleteAllForUser(input.userId(), count -> heartbeat(before + count));
        return new DeleteImagesOutput(before + deleted);
    }

    @Override
    public DeleteCognitoUserOutput deleteCognitoUser(DeleteCognitoUserInput input) {
        if (!cognitoSettings.configured()) {
            return new DeleteCognitoUserOutput(LoginDeletion.SKIPPED);
        }
        try {
            cognito.adminDeleteUser(
                    b -> b.userPoolId(cognitoSettings.userPoolId()).username(input.username()));
            return new DeleteCognitoUserOutput(LoginDeletion.DELETED);
        } catch (UserNotFoundException gone) {
            return new DeleteCognitoUserOutput(LoginDeletion.NOT_FOUND);
        }
    }

    @Override
    public WriteTombstoneOutput writeTombstone(WriteTombstoneInput input) {
        eraser.writeTombstone(input.userId(), input.requestedAt());
        return new WriteTombstoneOutput(eraser.completeTombstone(input.userId()));
    }

    /** The count the previous attempt heartbeated, so the total is reported across attempts. */
    private static long resumedCount() {
        return Activity.getExecutionContext().getHeartbeatDetails(Long.class).orElse(0L);
    }

    private static void heartbeat(long count) {
        Activity.getExecutionContext().heartbeat(count);
    }
}
