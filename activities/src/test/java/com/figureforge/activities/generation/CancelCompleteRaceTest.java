package com.figureforge.activities.generation;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.JobWithAccountQuery;
import com.figureforge.adapters.data.QuotaLedger;
import com.figureforge.adapters.data.Reservation;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.fal.FalClientSettings;
import com.figureforge.adapters.fal.FalImageDownloader;
import com.figureforge.adapters.fal.FalQueueClient;
import com.figureforge.adapters.fal.FalWebhookTarget;
import com.figureforge.adapters.storage.ImageStoreSettings;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.adapters.storage.S3TestSupport;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.generation.FalImageRequest;
import com.figureforge.workflows.generation.ImageGenerationWorkflow;
import com.figureforge.workflows.generation.ImageGenerationWorkflow.ImageGenerationInput;
import com.figureforge.workflows.generation.ImageGenerationWorkflowImpl;
import com.figureforge.workflows.generation.JobStatus;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Owners cancel at every moment of a job's life, on the Temporal test server with the real activities
 * (fal emulator, dynalite, S3Proxy). Whatever the moment, a job ends in one of the consistent states: succeeded
 * with its images listed and stored and charged, or canceled with no image item and no S3 object, charged
 * only when fal had started the work. Nothing stays in flight.
 */
class CancelCompleteRaceTest {

    private static final String BUCKET = "cancel-race";
    private static final String PERIOD = "2026-11";
    private static final int IMAGES = 2;

    private static FalEmulator falEmulator;
    private static FalQueueClient fal;
    private static FalImageDownloader downloader;
    private static S3Client s3;
    private static S3Presigner presigner;
    private static JobRepository jobs;
    private static ImageRepository images;
    private static QuotaLedger quota;
    private static TestWorkflowEnvironment env;

    @BeforeAll
    static void start() {
        falEmulator = FalEmulator.start(0, Duration.ofMillis(1500), Duration.ofMillis(1000));
        fal = new FalQueueClient(
                new FalClientSettings(falEmulator.baseUrl(), "local", Duration.ofSeconds(2), Duration.ofSeconds(5)));
        downloader = new FalImageDownloader(
                FalImageDownloader.DEFAULT_MAX_BYTES,
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                List.of(falEmulator.baseUrl().getHost()));
        s3 = S3TestSupport.client(new S3TestSupport.RequestCounter());
        presigner = S3TestSupport.presigner();
        S3TestSupport.createBucket(s3, BUCKET);
        String table = ActivityTestStack.freshTable("cancel-race");
        jobs = new JobRepository(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        images = new ImageRepository(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        quota = new QuotaLedger(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        UserRepository users = new UserRepository(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        S3ImageStore store = new S3ImageStore(s3, presigner, ImageStoreSettings.forBucket(BUCKET));

        env = TestWorkflowEnvironment.newInstance(
                TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
        env.registerSearchAttribute(
                FigureForgeSearchAttributes.USER_ID.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        env.registerSearchAttribute(
                FigureForgeSearchAttributes.JOB_STATUS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        env.newWorker(TaskQueues.WORKFLOWS).registerWorkflowImplementationTypes(ImageGenerationWorkflowImpl.class);
        env.newWorker(TaskQueues.FAL)
                .registerActivitiesImplementations(new FalActivitiesImpl(fal, jobs, new FalWebhookTarget(null)));
        env.newWorker(TaskQueues.FAL_EVENTS).registerActivitiesImplementations(new FalEventActivitiesImpl(fal));
        env.newWorker(TaskQueues.STORAGE)
                .registerActivitiesImplementations(new JobStoreActivitiesImpl(
                        jobs,
                        images,
                        store,
                        new ImageCopier(downloader, store, 8),
                        users,
                        new JobSettlement(jobs, images, quota, store, new PublicCopies(store, images, jobs)),
                        new JobWithAccountQuery(ActivityTestStack.dynamo(), table)));
        env.start();
    }

    @AfterAll
    static void stop() {
        env.close();
        fal.close();
        downloader.close();
        presigner.close();
        s3.close();
        falEmulator.close();
    }

    @Test
    void everyCancelMomentEndsInAConsistentState() throws Exception {
        // Moments picked by state (queued at fal, running at fal, fal done and images being copied, the
        // job just succeeded), and by time across the whole life of a job for the windows in between.
        // (Never during the submit: the in-process test server can wedge a run whose activity completes
        // in the very task that requests its cancellation, temporalio/sdk-java#2391; the real server does not.)
        List<Predicate<String>> moments = new ArrayList<>();
        moments.add(jobId -> "IN_QUEUE".equals(progress(jobId).falStatus()));
        moments.add(jobId -> "IN_PROGRESS".equals(progress(jobId).falStatus()));
        moments.add(jobId -> "COMPLETED".equals(progress(jobId).falStatus()));
        // Inside the lean finish's one step: an image is in S3, the job not yet settled.
        moments.add(jobId -> !objectsOf(jobId).isEmpty()
                && !jobs.find(jobId).orElseThrow().status().finished());
        moments.add(jobId -> jobs.find(jobId).orElseThrow().status() == JobStatus.SUCCEEDED);
        long started = System.currentTimeMillis();
        for (int i = 0; i < 8; i++) {
            long at = 200 + i * 400L;
            moments.add(jobId -> progress(jobId).falStatus() != null && System.currentTimeMillis() - started >= at);
        }

        List<String> jobIds = new ArrayList<>();
        List<Thread> cancels = new ArrayList<>();
        for (var moment : moments) {
            String jobId = acceptAndStart();
            jobIds.add(jobId);
            cancels.add(Thread.ofVirtual().start(() -> {
                long deadline = System.currentTimeMillis() + 20_000;
                while (!moment.test(jobId) && System.currentTimeMillis() < deadline) {
                    sleep(20);
                }
                try {
                    env.getWorkflowClient()
                            .newUntypedWorkflowStub(WorkflowIds.imageGeneration(jobId))
                            .cancel();
                } catch (WorkflowNotFoundException alreadyClosed) {
                    // the job ended first: nothing to cancel
                }
            }));
        }
        for (Thread cancel : cancels) {
            cancel.join();
        }

        List<String> outcomes = new ArrayList<>();
        for (String jobId : jobIds) {
            WorkflowStub stub = env.getWorkflowClient().newUntypedWorkflowStub(WorkflowIds.imageGeneration(jobId));
            try {
                stub.getResult(30, TimeUnit.SECONDS, Object.class);
            } catch (Exception closedAsCanceled) {
                // the job's record, not the run's close status, is the outcome
            }
            outcomes.add(assertConsistent(jobId));
        }
        assertThat(outcomes.get(0)).as("canceled while queued at fal").isEqualTo("canceled:refunded");
        assertThat(outcomes.subList(1, 5))
                .as("canceled once fal started: charged, and fal's images kept")
                .containsOnly("succeeded");
        assertThat(outcomes).as("every moment ends in a consistent state").hasSize(moments.size());
    }

    private static ImageGenerationWorkflow.GenerationProgress progress(String jobId) {
        try {
            return env.getWorkflowClient()
                    .newWorkflowStub(ImageGenerationWorkflow.class, WorkflowIds.imageGeneration(jobId))
                    .progress();
        } catch (RuntimeException closed) {
            return new ImageGenerationWorkflow.GenerationProgress(
                    JobStatus.SUCCEEDED, null, "CLOSED", null, 0, 0, null);
        }
    }

    /** @return a label of the consistent state the job ended in */
    private static String assertConsistent(String jobId) {
        JobRecord job = jobs.find(jobId).orElseThrow();
        String userId = job.userId();
        List<String> keys = objectsOf(jobId);
        long used = quota.usage(userId, PERIOD, 10).used();
        assertThat(job.status().finished()).as("job %s finished", jobId).isTrue();
        assertThat(quota.inFlightJobs(userId)).as("slot of %s", jobId).isEmpty();
        assertThat(used).as("used of %s", jobId).isEqualTo(job.chargedImages());
        if (job.status() == JobStatus.SUCCEEDED) {
            assertThat(job.imageIds()).isNotEmpty();
            for (String imageId : job.imageIds()) {
                assertThat(images.find(imageId)).as("image %s listed", imageId).isPresent();
            }
            assertThat(keys).hasSize(2 * job.imageIds().size()); // image and thumbnail
            return "succeeded";
        }
        assertThat(job.status()).isEqualTo(JobStatus.CANCELED);
        for (int index = 0; index < IMAGES; index++) {
            assertThat(images.find(JobStoreActivitiesImpl.imageId(jobId, index)))
                    .isEmpty();
        }
        assertThat(keys).as("objects of canceled job %s", jobId).isEmpty();
        return job.chargedImages() == 0 ? "canceled:refunded" : "canceled:charged";
    }

    private static List<String> objectsOf(String jobId) {
        String userId = jobs.find(jobId).orElseThrow().userId();
        return s3
                .listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(S3ImageStore.jobPrefix(userId, jobId)))
                .contents()
                .stream()
                .map(o -> o.key())
                .toList();
    }

    private static String acceptAndStart() {
        String userId = "user-" + UUID.randomUUID();
        String jobId = "job-" + UUID.randomUUID();
        jobs.create(JobRecord.queued(jobId, userId, "{}", "a dancer", IMAGES, "public", PERIOD, Instant.now()));
        assertThat(quota.reserve(userId, jobId, IMAGES, PERIOD, 10, 1)).isEqualTo(Reservation.RESERVED);
        ImageGenerationWorkflow workflow = env.getWorkflowClient()
                .newWorkflowStub(
                        ImageGenerationWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(WorkflowIds.imageGeneration(jobId))
                                .setTaskQueue(TaskQueues.WORKFLOWS)
                                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                                        .set(FigureForgeSearchAttributes.USER_ID, userId)
                                        .build())
                                .build());
        WorkflowClient.start(
                workflow::generate,
                new ImageGenerationInput(
                        jobId,
                        userId,
                        new FalImageRequest("fal-ai/flux/dev", "a dancer", "portrait_4_3", 7L, IMAGES, true, "png"),
                        30));
        return jobId;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
