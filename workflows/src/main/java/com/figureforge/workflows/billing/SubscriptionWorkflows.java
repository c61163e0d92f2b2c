package com.figureforge.workflows.billing;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.common.SearchAttributes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** How callers (the Stripe webhook, the API) reach a user's {@link SubscriptionWorkflow}. */
public final class SubscriptionWorkflows {

    private SubscriptionWorkflows() {}

    /** Options of a user's workflow: id {@code subscription/<user>}, workflows queue, user and plan attributes. */
    public static WorkflowOptions options(String userId) {
        return WorkflowOptions.newBuilder()
                .setWorkflowId(WorkflowIds.subscription(userId))
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                        .set(FigureForgeSearchAttributes.USER_ID, userId)
                        .set(FigureForgeSearchAttributes.PLAN, SubscriptionState.FREE)
                        .build())
                .setStaticSummary("Subscription of user " + userId)
                .setStaticDetails("Applies Stripe subscription events to the user's plan, status and quota period")
                .build();
    }

    /**
     * Delivers one event to the user's workflow, starting it first if it is not running (signal-with-start).
     * {@code start} is used only when a new run starts; a running workflow keeps its own state.
     *
     * @return the run that received the event
     */
    public static WorkflowExecution signalWithStart(
            WorkflowClient client, SubscriptionInput start, StripeEventSignal event) {
        SubscriptionWorkflow workflow = client.newWorkflowStub(SubscriptionWorkflow.class, options(start.userId()));
        BatchRequest request = client.newSignalWithStartRequest();
        request.add(workflow::run, start);
        request.add(workflow::stripeEvent, event);
        return client.signalWithStart(request);
    }

    /**
     * Applies a completed checkout now, with Update-With-Start: the user's workflow is started if it is
     * not running, and the answer comes once the subscription was applied (or the timeout passed: the
     * workflow still applies it).
     */
    public static SubscriptionState syncCheckout(
            WorkflowClient client, SubscriptionInput start, CheckoutSync request, Duration timeout) {
        SubscriptionWorkflow workflow = updateWithStartStub(client, start.userId());
        return WorkflowClient.startUpdateWithStart(
                        workflow::syncCheckout,
                        request,
                        UpdateOptions.<SubscriptionState>newBuilder()
                                .setUpdateId(request.requestId())
                                .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                                .build(),
                        new WithStartWorkflowOperation<>(workflow::run, start))
                .getResult(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Changes the plan of the user's live subscription through the workflow (Update-With-Start). */
    public static PlanChangeResult changePlan(
            WorkflowClient client, SubscriptionInput start, PlanChange request, Duration timeout) {
        SubscriptionWorkflow workflow = updateWithStartStub(client, start.userId());
        return WorkflowClient.startUpdateWithStart(
                        workflow::changePlan,
                        request,
                        UpdateOptions.<PlanChangeResult>newBuilder()
                                .setUpdateId(request.requestId())
                                .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                                .build(),
                        new WithStartWorkflowOperation<>(workflow::run, start))
                .getResult(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static SubscriptionWorkflow updateWithStartStub(WorkflowClient client, String userId) {
        return client.newWorkflowStub(
                SubscriptionWorkflow.class,
                options(userId).toBuilder()
                        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                        .build());
    }

    /**
     * Ends the user's workflow for good (account deletion: it holds nothing to clean up).
     *
     * @return false if no run was open (never subscribed, or already stopped)
     */
    public static boolean terminate(WorkflowClient client, String userId, String reason) {
        try {
            client.newUntypedWorkflowStub(WorkflowIds.subscription(userId)).terminate(reason);
            return true;
        } catch (WorkflowNotFoundException notRunning) {
            return false;
        }
    }

    /** A stub of the user's running workflow, e.g. for {@link SubscriptionWorkflow#state()}. */
    public static SubscriptionWorkflow existing(WorkflowClient client, String userId) {
        return client.newWorkflowStub(SubscriptionWorkflow.class, WorkflowIds.subscription(userId));
    }
}
