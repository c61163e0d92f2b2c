package com.figureforge.activities.deletion;

import static com.figureforge.activities.generation.ActivityTestStack.applicationFailure;
import static io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED;
import static io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
import static io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW;
import static io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED;
import static io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
import static io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.activities.generation.ActivityTestStack;
import com.figureforge.adapters.cognito.CognitoLogins;
import com.figureforge.adapters.cognito.CognitoLoginsTest;
import com.figureforge.adapters.cognito.CognitoSettings;
import com.figureforge.adapters.data.AccountDeletedException;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.QuotaLedger;
import com.figureforge.adapters.data.UserDataEraser;
import com.figureforge.adapters.data.UserFixture;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.storage.ImageStoreSettings;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.adapters.storage.S3TestSupport;
import com.figureforge.adapters.stripe.BillingAccounts;
import com.figureforge.adapters.temporal.FakeWorkflowService;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.deletion.AccountDeletionActivities;
import com.figureforge.workflows.deletion.AccountDeletionActivities.BlockNewWorkInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.CancelBillingInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.DeleteCognitoUserInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.DeleteImagesInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.DeleteItemsInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.DeleteWorkflowExecutionsInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.FindRunningGenerationsInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.ListInFlightJobsInput;
import com.figureforge.workflows.deletion.AccountDeletionActivities.WriteTombstoneInput;
import com.figureforge.workflows.deletion.LoginDeletion;
import com.figureforge.workflows.generation.FalImageRequest;
import com.figureforge.workflows.generation.ImageGenerationWorkflow;
import com.figureforge.workflows.generation.JobStatus;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestActivityEnvironment;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.Workflow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The deletion steps against dynalite, S3Proxy, the Temporal test server (for the generation workflows)
 * and WireMock as Cognito: after them nothing of the user is left but the tombstone, and nothing of
 * anyone else is touched.
 */
class AccountDeletionActivitiesImplTest {

    private static final String BUCKET = "deletion-test";
    private static final Instant REQUESTED_AT = Instant.parse("2026-11-25T10:00:00Z");

    private static S3Client s3;
    private static S3Presigner presigner;
    private static S3ImageStore store;
    private static String table;
    private static UserRepository users;
    private static QuotaLedger quota;
    private static UserDataEraser eraser;
    private static UserFixture fixture;
    private static WireMockServer cognitoApi;
    private static CognitoIdentityProviderClient cognito;
    private static TestWorkflowEnvironment temporal;

    private final RecordingBilling billing = new RecordingBilling();
    private TestActivityEnvironment env;
    private AccountDeletionActivities activities;
    private String user;
    private String other;

    @BeforeAll
    static void startServers() {
        s3 = S3TestSupport.client(new S3TestSupport.RequestCounter());
        presigner = S3TestSupport.presigner();
        S3TestSupport.createBucket(s3, BUCKET);
        store = new S3ImageStore(s3, presigner, ImageStoreSettings.forBucket(BUCKET));
        table = ActivityTestStack.freshTable("deletion");
        users = new UserRepository(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        quota = new QuotaLedger(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        eraser = new UserDataEraser(ActivityTestStack.dynamo(), table);
        fixture = new UserFixture(ActivityTestStack.dynamo(), table);
        cognitoApi = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        cognitoApi.start();
        cognito = CognitoLoginsTest.client(cognitoApi);
        temporal = TestWorkflowEnvironment.newInstance();
        temporal.newWorker(TaskQueues.WORKFLOWS).registerWorkflowImplementationTypes(WaitingGeneration.class);
        temporal.start();
    }

    @AfterAll
    static void stopServers() {
        temporal.close();
        cognito.close();
        cognitoApi.stop();
        presigner.close();
        s3.close();
    }

    @BeforeEach
    void setUp() {
        cognitoApi.resetAll();
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(activitiesWith(Optional.of(billing)));
        activities = env.newActivityStub(AccountDeletionActivities.class, ActivityTestStack.singleAttempt());
        user = "user-" + UUID.randomUUID();
        other = "other-" + UUID.randomUUID();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private AccountDeletionActivitiesImpl activitiesWith(Optional<BillingAccounts> billingAccounts) {
        return activitiesWith(billingAccounts, temporal.getWorkflowClient());
    }

    private AccountDeletionActivitiesImpl activitiesWith(
            Optional<BillingAccounts> billingAccounts, WorkflowClient workflowClient) {
        return new AccountDeletionActivitiesImpl(
                users,
                quota,
                new JobRepository(ActivityTestStack.dynamo(), table, Clock.systemUTC()),
                eraser,
                store,
                billingAccounts,
                new CognitoLogins(cognito, new CognitoSettings(CognitoLoginsTest.POOL)),
                workflowClient,
                Clock.systemUTC());
    }

    // --- blocking --------------------------------------------------------------------------------------------

    @Test
    void blockingFlagsTheProfileWritesTheTombstoneAndReportsTheStripeCustomer() {
        fixture.populate(user, 1, 1);

        var first = activities.blockNewWork(new BlockNewWorkInput(user, REQUESTED_AT));
        var again = activities.blockNewWork(new BlockNewWorkInput(user, REQUESTED_AT.plusSeconds(9)));

        assertThat(first.markedNow()).isTrue();
        assertThat(again.markedNow()).isFalse();
        assertThat(first.stripeCustomerId()).isEqualTo("cus_" + user);
        assertThat(users.find(user).orElseThrow().deleting()).isTrue();
        assertThat(users.findTombstone(user).orElseThrow().requestedAt()).isEqualTo(REQUESTED_AT);
        assertThat(users.findTombstone(user).orElseThrow().completed()).isFalse();
    }

    // --- jobs --------------------------------------------------------------------------------------------------

    @Test
    void onlyJobsWithARunningWorkflowNeedToBeWaitedFor() {
        String running = user + "-running";
        String finished = user + "-finished";
        String neverStarted = user + "-never";
        for (String job : List.of(running, finished, neverStarted)) {
            quota.reserve(user, job, 1, UserFixture.PERIOD, 100, 10);
        }
        startGeneration(finished, true);
        startGeneration(running, false);

        var inFlight =
                activities.listInFlightJobs(new ListInFlightJobsInput(user)).jobIds();
        var stillRunning = activities
                .findRunningGenerations(new FindRunningGenerationsInput(inFlight))
                .running();

        assertThat(inFlight).containsExactlyInAnyOrder(running, finished, neverStarted);
        assertThat(stillRunning).containsExactly(running);
        temporal.getWorkflowClient()
                .newUntypedWorkflowStub(WorkflowIds.imageGeneration(running))
                .terminate("test over");
    }

    // --- workflow executions ---------------------------------------------------------------------------------

    /**
     * Against the Java test server, which has no DeleteWorkflowExecution: the user's closed job execution is
     * found and its deletion attempted, and the step answers unsupported instead of failing the deletion.
     * The deleting itself is shown at the wire in {@code WorkflowExecutionEraserTest}.
     */
    @Test
    void theUsersClosedExecutionsAreFoundAndATestServerThatCannotDeleteIsTolerated() {
        fixture.populate(user, 2, 1);
        startGeneration(user + "-job-1", true);

        var withJobs = activities.deleteWorkflowExecutions(new DeleteWorkflowExecutionsInput(user));
        var withoutExecutions = activities.deleteWorkflowExecutions(new DeleteWorkflowExecutionsInput(other));

        assertThat(withJobs.supported())
                .as("a delete was attempted and refused")
                .isFalse();
        assertThat(withJobs.deleted()).isZero();
        assertThat(withoutExecutions.supported())
                .as("nothing to delete, nothing attempted")
                .isTrue();
        assertThat(withoutExecutions.deleted()).isZero();
    }

    /**
     * Against a frontend that deletes (at the wire): every job's execution, every run of the subscription
     * workflow and an earlier deletion run are deleted; a running job's execution and other users' stay.
     */
    @Test
    void everyClosedExecutionOfTheUserIsDeletedAndNothingElse() throws Exception {
        fixture.populate(user, 3, 1);
        TestActivityEnvironment deleting = TestActivityEnvironment.newInstance();
        try (FakeWorkflowService frontend = new FakeWorkflowService()) {
            frontend.add(WorkflowIds.imageGeneration(user + "-job-0"), WORKFLOW_EXECUTION_STATUS_COMPLETED);
            frontend.add(WorkflowIds.imageGeneration(user + "-job-1"), WORKFLOW_EXECUTION_STATUS_CANCELED);
            frontend.add(WorkflowIds.imageGeneration(user + "-job-2"), WORKFLOW_EXECUTION_STATUS_RUNNING);
            frontend.add(WorkflowIds.subscription(user), WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
            frontend.add(WorkflowIds.subscription(user), WORKFLOW_EXECUTION_STATUS_TERMINATED);
            frontend.add(WorkflowIds.accountDeletion(user), WORKFLOW_EXECUTION_STATUS_FAILED);
            frontend.add(WorkflowIds.subscription(other), WORKFLOW_EXECUTION_STATUS_TERMINATED);
            frontend.add(WorkflowIds.imageGeneration(other + "-job-0"), WORKFLOW_EXECUTION_STATUS_COMPLETED);
            deleting.registerActivitiesImplementations(
                    activitiesWith(Optional.of(billing), WorkflowClient.newInstance(frontend.stubs())));
            var stub = deleting.newActivityStub(AccountDeletionActivities.class, ActivityTestStack.singleAttempt());

            var first = stub.deleteWorkflowExecutions(new DeleteWorkflowExecutionsInput(user));
            var again = stub.deleteWorkflowExecutions(new DeleteWorkflowExecutionsInput(user));

            assertThat(first.supported()).isTrue();
            assertThat(first.deleted()).isEqualTo(5);
            assertThat(again.deleted()).as("idempotent").isZero();
            assertThat(frontend.runs)
                    .extracting(FakeWorkflowService.Run::workflowId)
                    .containsExactlyInAnyOrder(
                            WorkflowIds.imageGeneration(user + "-job-2"),
                            WorkflowIds.subscription(other),
                            WorkflowIds.imageGeneration(other + "-job-0"));
        } finally {
            deleting.close();
        }
    }

    // --- billing -----------------------------------------------------------------------------------------------

    @Test
    void billingClosesTheGivenCustomerAndTheOneOnTheProfileOnceEach() {
        fixture.populate(user, 0, 0); // linked to cus_<user>

        var closed = activities
                .cancelBilling(new CancelBillingInput(user, List.of("cus_old", "cus_" + user)))
                .customersClosed();
        activities.cancelBilling(new CancelBillingInput(user, List.of("cus_old")));

        assertThat(closed).containsExactly("cus_old", "cus_" + user);
        assertThat(billing.calls)
                .startsWith(
                        "cancel cus_old account-deletion-" + user + "-cus_old-cancel-subscriptions",
                        "delete cus_old account-deletion-" + user + "-cus_old-delete-customer",
                        "cancel cus_" + user + " account-deletion-" + user + "-cus_" + user + "-cancel-subscriptions",
                        "delete cus_" + user + " account-deletion-" + user + "-cus_" + user + "-delete-customer")
                .as("a repeat sends the same idempotency keys")
                .hasSize(8)
                .endsWith(
                        "cancel cus_" + user + " account-deletion-" + user + "-cus_" + user + "-cancel-subscriptions",
                        "delete cus_" + user + " account-deletion-" + user + "-cus_" + user + "-delete-customer");
    }

    @Test
    void aUserWhoWasNeverACustomerHasNoBillingToClose() {
        users.getOrCreate(user, "free", null);

        assertThat(activities
                        .cancelBilling(new CancelBillingInput(user, List.of()))
                        .customersClosed())
                .isEmpty();
        assertThat(billing.calls).isEmpty();
    }

    @Test
    void withoutABillingProviderACustomerCannotBeClosedAndTheStepIsRetried() {
        env.close();
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(activitiesWith(Optional.empty()));
        activities = env.newActivityStub(AccountDeletionActivities.class, ActivityTestStack.singleAttempt());

        var failure =
                applicationFailure(() -> activities.cancelBilling(new CancelBillingInput(user, List.of("cus_1"))));

        assertThat(failure.isNonRetryable()).isFalse();
        assertThat(failure.getOriginalMessage()).contains("no billing provider");
    }

    // --- data --------------------------------------------------------------------------------------------------

    @Test
    void afterTheDataStepsNothingOfTheUserIsLeftAndNoOneElseIsTouched() {
        int items = fixture.populate(user, 30, 2);
        fixture.populate(other, 3, 2);
        List<String> keys = putObjects(user, 1010); // two listing pages
        List<String> otherKeys = putObjects(other, 3);
        var otherItems = fixture.remains(other);
        List<Long> heartbeats = new CopyOnWriteArrayList<>();
        env.setActivityHeartbeatListener(Long.class, heartbeats::add);

        activities.blockNewWork(new BlockNewWorkInput(user, REQUESTED_AT));
        long itemsDeleted = activities.deleteItems(new DeleteItemsInput(user)).deleted();
        long objectsDeleted =
                activities.deleteImages(new DeleteImagesInput(user)).deleted();

        assertThat(itemsDeleted).isEqualTo(items);
        assertThat(objectsDeleted).isEqualTo(keys.size());
        // heartbeats are throttled: the first of each activity gets through, with the count of its first page
        assertThat(heartbeats).containsExactly(90L, 1000L);
        var left = fixture.remains(user);
        assertThat(left.onlyTombstone()).as(left.toString()).isTrue();
        assertThat(objectsOf(user)).isEmpty();
        assertThat(fixture.remains(other)).isEqualTo(otherItems);
        assertThat(objectsOf(other)).containsExactlyInAnyOrderElementsOf(otherKeys);
        assertThatThrownBy(() -> users.getOrCreate(user, "again", "again@example.com"))
                .isInstanceOf(AccountDeletedException.class);
    }

    @Test
    void runningTheDataStepsAgainFindsNothing() {
        fixture.populate(user, 2, 1);
        putObjects(user, 4);
        activities.deleteItems(new DeleteItemsInput(user));
        activities.deleteImages(new DeleteImagesInput(user));

        assertThat(activities.deleteItems(new DeleteItemsInput(user)).deleted()).isZero();
        assertThat(activities.deleteImages(new DeleteImagesInput(user)).deleted())
                .isZero();
        assertThat(fixture.remains(user).total()).isZero();
    }

    @Test
    void aRetryCarriesOnFromTheLastHeartbeatOfTheAttemptThatDied() {
        int items = fixture.populate(user, 40, 3);
        putObjects(user, 1010);
        long[] itemsBefore = {0};
        long[] objectsBefore = {0};
        // The first attempts die after their first page (a worker crash): their last heartbeat is what is left.
        assertThatThrownBy(() -> eraser.erase(user, count -> {
                    itemsBefore[0] = count;
                    throw new IllegalStateException("worker died");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.deleteAllForUser(user, count -> {
                    objectsBefore[0] = count;
                    throw new IllegalStateException("worker died");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(itemsBefore[0]).isPositive().isLessThan(items);
        assertThat(objectsBefore[0]).isEqualTo(1000);

        env.setHeartbeatDetails(itemsBefore[0]);
        long itemsDeleted = activities.deleteItems(new DeleteItemsInput(user)).deleted();
        env.setHeartbeatDetails(objectsBefore[0]);
        long objectsDeleted =
                activities.deleteImages(new DeleteImagesInput(user)).deleted();

        assertThat(itemsDeleted).as("counted across attempts, once").isEqualTo(items);
        assertThat(objectsDeleted).isEqualTo(1010);
        assertThat(fixture.remains(user).total()).isZero();
        assertThat(objectsOf(user)).isEmpty();
    }

    // --- login and tombstone -----------------------------------------------------------------------------------

    @Test
    void theLoginIsDeletedInCognitoAndAMissingOneIsFine() {
        CognitoLoginsTest.answerDeleted(cognitoApi);
        assertThat(activities
                        .deleteCognitoUser(new DeleteCognitoUserInput(user, "alice"))
                        .outcome())
                .isEqualTo(LoginDeletion.DELETED);

        cognitoApi.resetAll();
        CognitoLoginsTest.answerNotFound(cognitoApi);
        assertThat(activities
                        .deleteCognitoUser(new DeleteCognitoUserInput(user, "alice"))
                        .outcome())
                .isEqualTo(LoginDeletion.NOT_FOUND);
    }

    @Test
    void theTombstoneIsCompletedOnceAndTheUserStaysDeleted() {
        users.getOrCreate(user, "gone", "gone@example.com");
        activities.blockNewWork(new BlockNewWorkInput(user, REQUESTED_AT));
        activities.deleteItems(new DeleteItemsInput(user));

        Instant deletedAt = activities
                .writeTombstone(new WriteTombstoneInput(user, REQUESTED_AT))
                .deletedAt();
        Instant again = activities
                .writeTombstone(new WriteTombstoneInput(user, REQUESTED_AT))
                .deletedAt();

        assertThat(again).isEqualTo(deletedAt);
        var tombstone = users.findTombstone(user).orElseThrow();
        assertThat(tombstone.requestedAt()).isEqualTo(REQUESTED_AT);
        assertThat(tombstone.completed()).isTrue();
        assertThatThrownBy(() -> users.getOrCreate(user, "gone", "gone@example.com"))
                .isInstanceOf(AccountDeletedException.class);
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private List<String> putObjects(String owner, int count) {
        List<String> keys = new ArrayList<>();
        IntStream.range(0, count).parallel().forEach(i -> {
            String key = S3ImageStore.jobPrefix(owner, "job-" + (i % 7)) + i + ".png";
            s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(new byte[] {1, 2, 3}));
            synchronized (keys) {
                keys.add(key);
            }
        });
        return keys;
    }

    private List<String> objectsOf(String owner) {
        return s3
                .listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(S3ImageStore.userPrefix(owner)))
                .contents()
                .stream()
                .map(S3Object::key)
                .toList();
    }

    private void startGeneration(String jobId, boolean finishAtOnce) {
        ImageGenerationWorkflow generation = temporal.getWorkflowClient()
                .newWorkflowStub(
                        ImageGenerationWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(WorkflowIds.imageGeneration(jobId))
                                .setTaskQueue(TaskQueues.WORKFLOWS)
                                .build());
        var input = new ImageGenerationWorkflow.ImageGenerationInput(
                jobId,
                user,
                new FalImageRequest("fal-ai/flux/dev", "p", "square", 1L, 1, true, "png"),
                finishAtOnce ? 0 : 86_400);
        if (finishAtOnce) {
            generation.generate(input);
        } else {
            WorkflowClient.start(generation::generate, input);
        }
    }

    /** A generation that runs for its deadline (0: finishes at once). */
    public static class WaitingGeneration implements ImageGenerationWorkflow {
        @Override
        public ImageGenerationResult generate(ImageGenerationInput input) {
            if (input.deadlineSeconds() > 0) {
                Workflow.sleep(Duration.ofSeconds(input.deadlineSeconds()));
            }
            return new ImageGenerationResult(input.jobId(), JobStatus.SUCCEEDED, List.of(), null, null);
        }

        @Override
        public void falCompleted(FalCompletion completion) {}

        @Override
        public void falStatusChanged(FalStatusUpdate update) {}

        @Override
        public GenerationProgress progress() {
            return new GenerationProgress(JobStatus.RUNNING, null, null, null, 0, 1, null);
        }
    }

    /** Records the calls the Stripe gateway would make. */
    static final class RecordingBilling implements BillingAccounts {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void cancelAllSubscriptions(String customerId, String idempotencyKey) {
            calls.add("cancel " + customerId + " " + idempotencyKey);
        }

        @Override
        public void deleteCustomer(String customerId, String idempotencyKey) {
            calls.add("delete " + customerId + " " + idempotencyKey);
        }
    }
}
