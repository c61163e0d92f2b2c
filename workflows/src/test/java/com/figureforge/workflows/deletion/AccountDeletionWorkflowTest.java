package com.figureforge.workflows.deletion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.TimerSummaries;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.deletion.AccountDeletionWorkflow.AccountDeletionInput;
import com.figureforge.workflows.deletion.AccountDeletionWorkflow.AccountDeletionResult;
import com.figureforge.workflows.deletion.AccountDeletionWorkflow.DeletionProgress;
import com.figureforge.workflows.generation.FalImageRequest;
import com.figureforge.workflows.generation.ImageGenerationWorkflow;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.ImageGenerationInput;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AccountDeletionWorkflowTest {

    static final String USER = "alice";
    static final Instant REQUESTED_AT = Instant.parse("2026-11-25T10:00:00Z");
    private static final List<String> ACTIVITIES = List.of(
            "blockNewWork",
            "listInFlightJobs",
            "cancelBilling",
            "deleteWorkflowExecutions",
            "deleteItems",
            "deleteImages",
            "deleteCognitoUser",
            "writeTombstone");

    private TestWorkflowEnvironment env;
    private FakeDeletionActivities activities;

    @BeforeEach
    void startEnvironment() {
        env = TestWorkflowEnvironment.newInstance();
        registerSearchAttributes(env);
        activities = new FakeDeletionActivities(env.getWorkflowClient());
        registerWorkers(env.getWorkerFactory(), activities);
        env.start();
    }

    static void registerSearchAttributes(TestWorkflowEnvironment env) {
        env.registerSearchAttribute(
                FigureForgeSearchAttributes.USER_ID.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        env.registerSearchAttribute(
                FigureForgeSearchAttributes.JOB_STATUS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }

    /**
     * The SDK's deadlock detector (1 s by default) fails a workflow task whose thread does not yield for a
     * second: on a shared 2-core machine under load that is CPU starvation, not a deadlock, and the retried
     * task then outlasts the tests' waits.
     */
    static void registerWorkers(WorkerFactory factory, FakeDeletionActivities activities) {
        factory.newWorker(
                        TaskQueues.WORKFLOWS,
                        WorkerOptions.newBuilder()
                                .setDefaultDeadlockDetectionTimeout(
                                        Duration.ofSeconds(10).toMillis())
                                .build())
                .registerWorkflowImplementationTypes(
                        AccountDeletionWorkflowImpl.class, FakeGenerations.RunUntilCanceled.class);
        factory.newWorker(TaskQueues.STORAGE)
                .registerActivitiesImplementations(activities, new FakeGenerations.SlotStore(activities));
    }

    @AfterEach
    void stopEnvironment() {
        env.close();
    }

    @Test
    void runsEveryStepInOrderAndDeletesEverything() {
        AccountDeletionResult result = newWorkflow().delete(input("cus_123", USER));

        assertThat(activities.successfulCalls())
                .containsExactly(
                        "blockNewWork",
                        "listInFlightJobs",
                        "cancelBilling",
                        "deleteWorkflowExecutions",
                        "deleteItems",
                        "deleteImages",
                        "deleteItems",
                        "deleteImages",
                        "deleteCognitoUser",
                        "writeTombstone");
        assertThat(result.userId()).isEqualTo(USER);
        assertThat(result.itemsDeleted()).isEqualTo(12);
        assertThat(result.objectsDeleted()).isEqualTo(8);
        assertThat(result.passes()).as("one pass, then one that finds nothing").isEqualTo(2);
        assertThat(result.stripeCustomersClosed()).containsExactly("cus_123");
        assertThat(result.login()).isEqualTo(LoginDeletion.DELETED);
        assertThat(result.deletedAt()).isEqualTo(activities.deletedAt);
        assertNothingLeft();
        assertThat(activities.tombstoneRequestedAt).isEqualTo(REQUESTED_AT);
        assertThat(activities.cognitoUsername).isEqualTo(USER);

        DeletionProgress progress = stub().query("progress", DeletionProgress.class);
        assertThat(progress.step()).isEqualTo(DeletionStep.DONE);
        assertThat(progress.completed())
                .containsExactly(
                        DeletionStep.BLOCK_NEW_WORK,
                        DeletionStep.CANCEL_JOBS,
                        DeletionStep.CANCEL_BILLING,
                        DeletionStep.DELETE_WORKFLOW_EXECUTIONS,
                        DeletionStep.DELETE_DATA,
                        DeletionStep.DELETE_LOGIN,
                        DeletionStep.WRITE_TOMBSTONE);
        assertThat(stub().describe().getTypedSearchAttributes().get(FigureForgeSearchAttributes.USER_ID))
                .isEqualTo(USER);
    }

    @Test
    void faultsInjectedAtEveryStepAreRetriedUntilTheDeletionFinishes() {
        for (String activity : ACTIVITIES) {
            activities.failTimes(activity, 3);
        }

        AccountDeletionResult result = newWorkflow().delete(input("cus_123", USER));

        for (String activity : ACTIVITIES) {
            assertThat(activities.calls)
                    .as(activity)
                    .filteredOn((activity + ":failed")::equals)
                    .hasSize(3);
        }
        assertThat(result.itemsDeleted()).isEqualTo(12);
        assertThat(result.objectsDeleted()).isEqualTo(8);
        assertThat(result.login()).isEqualTo(LoginDeletion.DELETED);
        assertThat(activities.billed).containsExactly(List.of("cus_123"));
        assertNothingLeft();
    }

    @Test
    void deletingItemsResumesFromTheLastHeartbeatAfterAnAttemptDies() {
        activities.crashItemsAfter = 5;

        AccountDeletionResult result = newWorkflow().delete(input(null, USER));

        assertThat(activities.calls).contains("deleteItems:crashed");
        assertThat(activities.itemsResumedFrom)
                .as("attempt 2 starts at the heartbeat of attempt 1")
                .startsWith(0L, 5L);
        assertThat(result.itemsDeleted()).as("counted once").isEqualTo(12);
        assertNothingLeft();
    }

    /**
     * A worker that takes over after a crash rebuilds the run from its history: replaying a history cut
     * in the middle of a step must work with today's code (the resumed run then continues with the
     * pending activity, which the server retries). The test server cannot move work off a dead worker's
     * sticky queue, so the takeover itself is shown by replay here.
     */
    @Test
    void aHistoryCutMidStepReplaysSoAnotherWorkerCanTakeOver() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        activities.imagesGate = gate;
        AccountDeletionWorkflow workflow = newWorkflow();
        WorkflowClient.start(workflow::delete, input("cus_123", USER));
        awaitProgress(workflow, p -> p.step() == DeletionStep.DELETE_DATA && activities.calls.contains("deleteImages"));

        WorkflowExecutionHistory midStep = env.getWorkflowClient().fetchHistory(WorkflowIds.accountDeletion(USER));
        WorkflowReplayer.replayWorkflowExecution(midStep, AccountDeletionWorkflowImpl.class);

        gate.countDown();
        AccountDeletionResult result = WorkflowStub.fromTyped(workflow).getResult(AccountDeletionResult.class);
        assertThat(result.passes()).isEqualTo(2);
        assertNothingLeft();
    }

    @Test
    void runningJobsAreCanceledAndDataIsDeletedOnlyAfterTheyStopped() {
        startGeneration("job-1");
        startGeneration("job-2");
        activities.inFlight.add("job-orphan"); // holds a slot, but its workflow never ran

        AccountDeletionResult result = deleteOnceCancelsAreDelivered(2);

        assertThat(result.jobsCanceled()).isEqualTo(2);
        int firstDelete = activities.calls.indexOf("deleteItems");
        assertThat(activities.calls.indexOf("failJob:job-1")).isBetween(0, firstDelete);
        assertThat(activities.calls.indexOf("failJob:job-2")).isBetween(0, firstDelete);
        assertThat(generationStatus("job-1")).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
        assertThat(generationStatus("job-2")).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
        assertNothingLeft();
    }

    @Test
    void theWaitsCarrySummariesForTheWebUi() {
        startGeneration("job-1");
        activities.lateItems.set(3);

        deleteOnceCancelsAreDelivered(1);

        List<String> summaries =
                TimerSummaries.of(env.getWorkflowClient().fetchHistory(WorkflowIds.accountDeletion(USER)));
        assertThat(summaries)
                .as("settle checks until the canceled job stopped, then a pause before each later pass")
                .contains(AccountDeletionWorkflowImpl.SETTLE_CHECK_SUMMARY)
                .endsWith(AccountDeletionWorkflowImpl.NEXT_PASS_SUMMARY, AccountDeletionWorkflowImpl.NEXT_PASS_SUMMARY)
                .containsOnly(
                        AccountDeletionWorkflowImpl.SETTLE_CHECK_SUMMARY,
                        AccountDeletionWorkflowImpl.NEXT_PASS_SUMMARY);
    }

    @Test
    void aJobThatDoesNotStopIsWaitedForUntilTheSettleTimeoutOnly() {
        startGeneration("stubborn-1");
        long start = env.currentTimeMillis();

        AccountDeletionResult result = deleteOnceCancelsAreDelivered(1);

        assertThat(result.jobsCanceled()).isEqualTo(1);
        assertThat(env.currentTimeMillis() - start)
                .isGreaterThanOrEqualTo(AccountDeletionWorkflowImpl.SETTLE_TIMEOUT.toMillis());
        assertThat(activities.successfulCalls())
                .filteredOn("cancelBilling"::equals)
                .hasSize(1);
        assertNothingLeft();
    }

    @Test
    void progressQueryReportsTheRunningStep() {
        CountDownLatch gate = new CountDownLatch(1);
        activities.imagesGate = gate;
        AccountDeletionWorkflow workflow = newWorkflow();
        WorkflowClient.start(workflow::delete, input(null, USER));

        DeletionProgress progress = awaitProgress(
                workflow, p -> p.step() == DeletionStep.DELETE_DATA && activities.calls.contains("deleteImages"));

        assertThat(progress.completed())
                .containsExactly(
                        DeletionStep.BLOCK_NEW_WORK,
                        DeletionStep.CANCEL_JOBS,
                        DeletionStep.CANCEL_BILLING,
                        DeletionStep.DELETE_WORKFLOW_EXECUTIONS);
        assertThat(progress.itemsDeleted()).isEqualTo(12);
        assertThat(progress.passes()).isEqualTo(1);
        gate.countDown();
        assertThat(WorkflowStub.fromTyped(workflow)
                        .getResult(AccountDeletionResult.class)
                        .passes())
                .isEqualTo(2);
    }

    @Test
    void theUsersClosedWorkflowExecutionsAreDeletedWhileTheJobIdsAreStillListed() {
        AccountDeletionResult result = newWorkflow().delete(input(null, USER));

        assertThat(result.executionsDeleted()).isEqualTo(4);
        assertThat(activities.closedExecutions.get()).isZero();
        assertThat(activities.itemsWhenExecutionsDeleted)
                .as("before any item (the jobs) is deleted")
                .isEqualTo(12);
        assertThat(activities.successfulCalls().indexOf("deleteWorkflowExecutions"))
                .as("after billing stopped the subscription workflow")
                .isGreaterThan(activities.successfulCalls().indexOf("cancelBilling"));
    }

    @Test
    void aServerThatCannotDeleteExecutionsDoesNotStopTheDeletion() {
        activities.executionDeletionSupported = false;

        AccountDeletionResult result = newWorkflow().delete(input(null, USER));

        assertThat(result.executionsDeleted()).isZero();
        assertThat(result.deletedAt()).isNotNull();
        assertNothingLeft();
    }

    @Test
    void whatAConcurrentWriterLeftIsDeletedByALaterPass() {
        activities.lateItems.set(3);

        AccountDeletionResult result = newWorkflow().delete(input(null, USER));

        assertThat(result.itemsDeleted()).isEqualTo(15);
        assertThat(result.passes()).isEqualTo(3);
        assertNothingLeft();
    }

    @Test
    void theStripeCustomerOnTheProfileIsClosedTooAndEachCustomerOnce() {
        activities.profileCustomer = "cus_profile";

        AccountDeletionResult result = newWorkflow().delete(input("cus_api", USER));

        assertThat(activities.billed).containsExactly(List.of("cus_api", "cus_profile"));
        assertThat(result.stripeCustomersClosed()).containsExactly("cus_api", "cus_profile");
    }

    @Test
    void withoutCustomerOrUserPoolBillingAndLoginHaveNothingToDo() {
        activities.poolConfigured = false;

        AccountDeletionResult result = newWorkflow().delete(input(null, null));

        assertThat(activities.billed).containsExactly(List.of());
        assertThat(result.login()).isEqualTo(LoginDeletion.SKIPPED);
        assertThat(activities.cognitoUsername)
                .as("the sub stands in for the username")
                .isEqualTo(USER);
    }

    @Test
    void runningTheDeletionAgainIsHarmless() {
        newWorkflow().delete(input("cus_123", USER));

        AccountDeletionResult again = newWorkflow().delete(input("cus_123", USER));

        assertThat(again.itemsDeleted()).isZero();
        assertThat(again.objectsDeleted()).isZero();
        assertThat(again.login()).isEqualTo(LoginDeletion.NOT_FOUND);
        assertThat(again.deletedAt()).isEqualTo(activities.deletedAt);
        assertNothingLeft();
    }

    @Test
    void aBlankUserIdFailsAtOnce() {
        assertThatThrownBy(() -> newWorkflow().delete(new AccountDeletionInput(" ", null, null, REQUESTED_AT)))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(
                        ApplicationFailure.class,
                        failure -> assertThat(failure.getType()).isEqualTo("INVALID_INPUT"));
        assertThat(activities.calls).isEmpty();
    }

    private void assertNothingLeft() {
        assertThat(activities.items).hasValue(0);
        assertThat(activities.objects).hasValue(0);
        assertThat(activities.cognitoUserExists || !activities.poolConfigured).isFalse();
        assertThat(activities.deletedAt).isNotNull();
        if (activities.executionDeletionSupported) {
            assertThat(activities.closedExecutions).hasValue(0);
        }
    }

    private void startGeneration(String jobId) {
        activities.inFlight.add(jobId);
        ImageGenerationWorkflow generation = env.getWorkflowClient()
                .newWorkflowStub(
                        ImageGenerationWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(WorkflowIds.imageGeneration(jobId))
                                .setTaskQueue(TaskQueues.WORKFLOWS)
                                .build());
        WorkflowClient.start(
                generation::generate,
                new ImageGenerationInput(
                        jobId,
                        USER,
                        new FalImageRequest("fal-ai/flux/dev", "a figure", "portrait_4_3", 1L, 1, true, "png"),
                        600));
    }

    /**
     * Runs the deletion, letting the test server skip time only once the deletion's cancel requests to
     * {@code jobs} running generations have arrived. The test server holds its clock while a signal to
     * another workflow is in flight, but not while a cancel request is (TestWorkflowMutableStateImpl
     * delivers it from the common fork-join pool without a time lock): skipping then may run past every
     * pending timer, up to the deletion's default run timeout of 10 years, before the cancel lands. A
     * real server has no skipping clock, so this is only the test's concern. Until {@code getResult},
     * the test environment keeps time skipping locked.
     */
    private AccountDeletionResult deleteOnceCancelsAreDelivered(int jobs) {
        AccountDeletionWorkflow workflow = newWorkflow();
        WorkflowClient.start(workflow::delete, input(null, USER));
        long deadline = System.currentTimeMillis() + 30_000;
        while (cancelsDelivered() < jobs) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the deletion's " + jobs + " cancel request(s) did not arrive");
            }
            pause();
        }
        return WorkflowStub.fromTyped(workflow).getResult(AccountDeletionResult.class);
    }

    private long cancelsDelivered() {
        return env.getWorkflowClient().fetchHistory(WorkflowIds.accountDeletion(USER)).getEvents().stream()
                .filter(event ->
                        event.getEventType() == EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED
                                || event.getEventType()
                                        == EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED)
                .count();
    }

    private WorkflowExecutionStatus generationStatus(String jobId) {
        return env.getWorkflowClient()
                .newUntypedWorkflowStub(WorkflowIds.imageGeneration(jobId))
                .describe()
                .getStatus();
    }

    private DeletionProgress awaitProgress(AccountDeletionWorkflow workflow, Predicate<DeletionProgress> condition) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            DeletionProgress progress = workflow.progress();
            if (condition.test(progress)) {
                return progress;
            }
            pause();
        }
        throw new AssertionError("workflow did not reach the expected state; last: " + workflow.progress());
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private WorkflowStub stub() {
        return env.getWorkflowClient().newUntypedWorkflowStub(WorkflowIds.accountDeletion(USER));
    }

    private AccountDeletionWorkflow newWorkflow() {
        return env.getWorkflowClient()
                .newWorkflowStub(
                        AccountDeletionWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(WorkflowIds.accountDeletion(USER))
                                .setTaskQueue(TaskQueues.WORKFLOWS)
                                .build());
    }

    static AccountDeletionInput input(String stripeCustomerId, String cognitoUsername) {
        return new AccountDeletionInput(USER, stripeCustomerId, cognitoUsername, REQUESTED_AT);
    }
}
