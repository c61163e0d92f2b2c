package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.billing.SubscriptionActivities;
import com.figureforge.workflows.billing.SubscriptionWorkflowImpl;
import com.figureforge.workflows.deletion.AccountDeletionActivities;
import com.figureforge.workflows.deletion.AccountDeletionWorkflowImpl;
import com.figureforge.workflows.generation.FalActivities;
import com.figureforge.workflows.generation.FalEventActivities;
import com.figureforge.workflows.generation.ImageGenerationWorkflowImpl;
import com.figureforge.workflows.generation.JobStoreActivities;
import com.figureforge.workflows.generation.JobStoreActivities.ImageToStore;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Workers stop and replies get lost; jobs must still finish with nothing lost or charged twice. The
 * test replaces the app's workers with new ones on the same task queues, as a redeploy would.
 */
@FigureForgeE2E
class DurabilityE2ETest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The workers now polling; the Spring-managed ones are replaced by the first swap. */
    private static WorkerFactory current;

    /** Counts worker generations; each generation polls under its own identity. */
    private static int generation;

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    FalEmulator fal;

    @Autowired
    UserRepository users;

    @Autowired
    WorkflowClient client;

    @Autowired
    WorkerFactory springWorkers;

    @Autowired
    FalActivities falActivities;

    @Autowired
    JobStoreActivities jobStoreActivities;

    @Autowired
    FalEventActivities falEventActivities;

    /** Served by the replacement workers too, so later test classes in this shared context still run. */
    @Autowired
    SubscriptionActivities subscriptionActivities;

    @Autowired
    AccountDeletionActivities accountDeletionActivities;

    @Autowired
    S3Client s3;

    @Autowired
    FigureForgeProperties properties;

    E2ESupport e2e;

    @BeforeEach
    void setUp() {
        e2e = new E2ESupport(new ApiClient(port), issuer, users);
        fal.resetFaults();
        swapWorkers(falActivities, jobStoreActivities);
    }

    @AfterEach
    void restoreWorkers() {
        fal.resetFaults();
        swapWorkers(falActivities, jobStoreActivities);
    }

    @Test
    void workersStoppedMidJobAndStartedAgainFinishItWithoutASecondFalRequestOrCharge() {
        var user = e2e.newUser("hobby");
        int submittedBefore = fal.submissionCount();
        // Long enough at fal that the workers are down well before it finishes.
        fal.setLatency(Duration.ofMillis(500), Duration.ofSeconds(3));

        String jobId = e2e.startJob(user, "{\"num_images\":2,\"visibility\":\"public\"}");
        e2e.awaitJob(user, jobId, j -> j.get("status").asString().equals("running"), Duration.ofSeconds(30));
        assertThat(fal.submissionCount() - submittedBefore).isEqualTo(1);
        FalEmulator.Submission request = fal.submissions().get(fal.submissions().size() - 1);

        WorkerFactory stopped = stopWorkers();
        assertThat(stopped.isTerminated()).isTrue();
        int eventsAtStop = history(jobId).size();
        assertThat(falStatus(request))
                .as("fal still works on the job when the workers stop")
                .isNotEqualTo("COMPLETED");

        // No worker runs. fal finishes meanwhile; the workflow's timer (or the reply of an activity
        // that ended during the graceful stop) leaves a task that nobody takes.
        awaitTrue("fal completes the request", () -> falStatus(request).equals("COMPLETED"));
        awaitTrue("the workflow waits on a scheduled task", () -> {
            EventType last = last(history(jobId)).getEventType();
            return last == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED
                    || last == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED;
        });
        JsonNode waiting = e2e.job(user, jobId);
        assertThat(waiting.get("status").asString()).as(waiting.toString()).isEqualTo("running");
        assertThat(waiting.get("images")).isEmpty();
        assertThat(waiting.path("progress").isNull() || waiting.path("progress").isMissingNode())
                .as("no worker answers the progress query: " + waiting)
                .isTrue();
        List<HistoryEvent> gap = history(jobId);
        assertThat(gap.subList(eventsAtStop, gap.size()))
                .as("nothing was started while no worker ran")
                .noneMatch(DurabilityE2ETest::started);
        assertThat(e2e.quota(user).get("in_flight").asInt()).isEqualTo(1);

        String restarted = startWorkers(falActivities, jobStoreActivities);
        JsonNode job = e2e.awaitFinished(user, jobId);

        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("succeeded");
        assertThat(fal.submissionCount() - submittedBefore).as("fal requests").isEqualTo(1);
        assertThat(job.get("images")).hasSize(2);
        assertThat(objectsUnder(user.id(), jobId))
                .as("image and thumbnail per image")
                .isEqualTo(4);
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(2);
        assertThat(e2e.quota(user).get("in_flight").asInt()).isZero();
        List<HistoryEvent> end = history(jobId);
        assertThat(end.subList(eventsAtStop, end.size()).stream().filter(DurabilityE2ETest::started))
                .as("every task after the stop ran on the new workers")
                .isNotEmpty()
                .allMatch(e -> identity(e).equals(restarted));
    }

    @Test
    void lostActivityRepliesAreRetriedWithoutASecondFalRequestOrStoredCopy() throws Exception {
        var user = e2e.newUser("hobby");
        int submittedBefore = fal.submissionCount();
        Set<String> lost = ConcurrentHashMap.newKeySet();
        AtomicInteger submits = new AtomicInteger();
        AtomicInteger stores = new AtomicInteger();

        // The real activities run to completion, then the reply "gets lost" once per call site.
        FalActivities lossyFal = new ForwardingFal(falActivities) {
            @Override
            public SubmitOutput submit(SubmitInput input) {
                SubmitOutput output = super.submit(input);
                submits.incrementAndGet();
                if (lost.add("submit")) {
                    throw ApplicationFailure.newFailure("reply lost after submit", "LOST_REPLY");
                }
                return output;
            }
        };
        JobStoreActivities lossyStore = new ForwardingJobStore(jobStoreActivities) {
            @Override
            public StoreAndCompleteOutput storeImagesAndComplete(StoreAndCompleteInput input) {
                StoreAndCompleteOutput output = super.storeImagesAndComplete(input);
                stores.incrementAndGet();
                if (lost.add("store-and-complete")) {
                    throw ApplicationFailure.newFailure("reply lost after store and complete", "LOST_REPLY");
                }
                return output;
            }
        };
        swapWorkers(lossyFal, lossyStore);

        String jobId = e2e.startJob(user, "{\"num_images\":2,\"visibility\":\"public\"}");
        JsonNode job = e2e.awaitFinished(user, jobId);

        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("succeeded");
        // The job record succeeds with the first attempt; the run ends when the retry answered.
        client.newUntypedWorkflowStub(WorkflowIds.imageGeneration(jobId)).getResult(30, TimeUnit.SECONDS, Object.class);
        assertThat(submits.get()).as("submit ran twice").isEqualTo(2);
        assertThat(stores.get()).as("the store-and-complete step ran twice").isEqualTo(2);
        assertThat(fal.submissionCount() - submittedBefore).as("fal requests").isEqualTo(1);
        assertThat(objectsUnder(user.id(), jobId)).isEqualTo(4);
        assertThat(job.get("images")).hasSize(2);
        var mine = new ApiClient(port)
                .get("/api/images/user/?limit=50", user.token())
                .json();
        assertThat(mine.get("items")).hasSize(2);
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(2);
        assertThat(e2e.quota(user).get("in_flight").asInt()).isZero();
    }

    /**
     * The one step that copies the images and settles the job fails midway, after one image of two is in
     * S3 (as when its worker dies): the retry finishes the job with each image stored once and the quota
     * charged once.
     */
    @Test
    void aStoreAndCompleteStepThatDiesAfterCopyingOneImageIsFinishedByItsRetry() {
        var user = e2e.newUser("hobby");
        AtomicInteger attempts = new AtomicInteger();
        JobStoreActivities diesMidway = new ForwardingJobStore(jobStoreActivities) {
            @Override
            public StoreAndCompleteOutput storeImagesAndComplete(StoreAndCompleteInput input) {
                if (attempts.incrementAndGet() == 1) {
                    ImageToStore first = input.images().get(0);
                    storeImage(new StoreImageInput(
                            input.jobId(), input.userId(), first.index(), first.source(), input.seed()));
                    throw ApplicationFailure.newFailure("worker died after the first copy", "WORKER_DIED");
                }
                return super.storeImagesAndComplete(input);
            }
        };
        swapWorkers(falActivities, diesMidway);

        String jobId = e2e.startJob(user, "{\"num_images\":2,\"visibility\":\"private\"}");
        JsonNode job = e2e.awaitFinished(user, jobId);

        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("succeeded");
        assertThat(attempts.get()).isEqualTo(2);
        assertThat(job.get("images")).hasSize(2);
        assertThat(objectsUnder(user.id(), jobId))
                .as("image and thumbnail per image, once")
                .isEqualTo(4);
        assertThat(e2e.quota(user).get("used").asInt()).as("charged once").isEqualTo(2);
        assertThat(e2e.quota(user).get("in_flight").asInt()).isZero();
    }

    private int objectsUnder(String userId, String jobId) {
        return s3.listObjectsV2(
                        b -> b.bucket(properties.aws().s3().bucket()).prefix("images/" + userId + "/" + jobId + "/"))
                .keyCount();
    }

    /** Stops whatever workers poll now and starts new ones on the same queues with these activities. */
    private void swapWorkers(FalActivities fal, JobStoreActivities store) {
        stopWorkers();
        startWorkers(fal, store);
    }

    /**
     * Stops the running workers as a redeploy does: polling ends, tasks in hand finish and report,
     * then nothing of them runs any more.
     */
    private WorkerFactory stopWorkers() {
        WorkerFactory running = current == null ? springWorkers : current;
        if (!running.isTerminated()) {
            running.shutdown();
            running.awaitTermination(30, TimeUnit.SECONDS);
        }
        return running;
    }

    /**
     * Starts workers on the app's task queues with the app's fal limits, under a new identity, which
     * it returns.
     *
     * <p>They run without sticky execution (a zero sticky schedule-to-start timeout makes the SDK
     * send no sticky attributes), for a limit of the in-process test server. Sticky workers ask the
     * server to send a workflow's next task to their own queue. When such a worker is gone, the
     * real server sends that task to the shared queue instead: at once when the worker said goodbye
     * (ShutdownWorker, sent on a graceful stop) or its queue has had no poller for a while, else
     * after the sticky schedule-to-start timeout (5 s). The test server does neither:
     * ShutdownWorker is a no-op, the timeout is never scheduled, and the task stays on the dead
     * worker's queue forever while the history still names the shared queue. Without stickiness
     * every task is on the shared queue, which is where the real server puts it after a worker
     * stops; the workflow code and the activities are the app's, unchanged.
     */
    private String startWorkers(FalActivities fal, JobStoreActivities store) {
        String identity = "durability-e2e-workers-" + ++generation;
        WorkerFactory factory = WorkerFactory.newInstance(client);
        factory.newWorker(
                        TaskQueues.WORKFLOWS,
                        WorkerOptions.newBuilder()
                                .setIdentity(identity)
                                .setStickyQueueScheduleToStartTimeout(Duration.ZERO)
                                .build())
                .registerWorkflowImplementationTypes(
                        ImageGenerationWorkflowImpl.class,
                        SubscriptionWorkflowImpl.class,
                        AccountDeletionWorkflowImpl.class);
        factory.newWorker(
                        TaskQueues.FAL,
                        WorkerOptions.newBuilder()
                                .setIdentity(identity)
                                .setMaxConcurrentActivityExecutionSize(
                                        properties.fal().maxConcurrentCalls())
                                .setMaxTaskQueueActivitiesPerSecond(
                                        properties.fal().callsPerSecond())
                                .build())
                .registerActivitiesImplementations(fal);
        factory.newWorker(
                        TaskQueues.FAL_EVENTS,
                        WorkerOptions.newBuilder().setIdentity(identity).build())
                .registerActivitiesImplementations(falEventActivities);
        factory.newWorker(
                        TaskQueues.STORAGE,
                        WorkerOptions.newBuilder().setIdentity(identity).build())
                .registerActivitiesImplementations(store, subscriptionActivities, accountDeletionActivities);
        factory.start();
        current = factory;
        return identity;
    }

    private List<HistoryEvent> history(String jobId) {
        return client.fetchHistory(WorkflowIds.imageGeneration(jobId))
                .getHistory()
                .getEventsList();
    }

    private static HistoryEvent last(List<HistoryEvent> events) {
        return events.get(events.size() - 1);
    }

    /** A task taken by a worker. */
    private static boolean started(HistoryEvent event) {
        return event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
                || event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED;
    }

    private static String identity(HistoryEvent event) {
        return event.hasWorkflowTaskStartedEventAttributes()
                ? event.getWorkflowTaskStartedEventAttributes().getIdentity()
                : event.getActivityTaskStartedEventAttributes().getIdentity();
    }

    /** The request's status as fal itself reports it. */
    private String falStatus(FalEmulator.Submission request) {
        String[] model = request.modelId().split("/");
        URI status =
                fal.baseUrl().resolve("/" + model[0] + "/" + model[1] + "/requests/" + request.requestId() + "/status");
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(status)
                            .header("Authorization", request.authorization())
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body()).get("status").asString();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            E2ESupport.sleep(100);
        }
    }

    /** Passes every call to the real activities; tests override the calls they disturb. */
    static class ForwardingFal implements FalActivities {
        private final FalActivities delegate;

        ForwardingFal(FalActivities delegate) {
            this.delegate = delegate;
        }

        @Override
        public SubmitOutput submit(SubmitInput input) {
            return delegate.submit(input);
        }

        @Override
        public CheckStatusOutput checkStatus(CheckStatusInput input) {
            return delegate.checkStatus(input);
        }

        @Override
        public FetchResultOutput fetchResult(FetchResultInput input) {
            return delegate.fetchResult(input);
        }

        @Override
        public CancelOutput cancel(CancelInput input) {
            return delegate.cancel(input);
        }
    }

    static class ForwardingJobStore implements JobStoreActivities {
        private final JobStoreActivities delegate;

        ForwardingJobStore(JobStoreActivities delegate) {
            this.delegate = delegate;
        }

        @Override
        public MarkRunningOutput markRunning(MarkRunningInput input) {
            return delegate.markRunning(input);
        }

        @Override
        public StoreImageOutput storeImage(StoreImageInput input) {
            return delegate.storeImage(input);
        }

        @Override
        public CompleteJobOutput completeJob(CompleteJobInput input) {
            return delegate.completeJob(input);
        }

        @Override
        public StoreAndCompleteOutput storeImagesAndComplete(StoreAndCompleteInput input) {
            return delegate.storeImagesAndComplete(input);
        }

        @Override
        public FailJobOutput failJob(FailJobInput input) {
            return delegate.failJob(input);
        }
    }
}
