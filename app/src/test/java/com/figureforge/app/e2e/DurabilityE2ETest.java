package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.activities.data.UserRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.devstack.FalEmulator;
import com.figureforge.devstack.OidcIssuer;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.generation.FalActivities;
import com.figureforge.workflows.generation.ImageGenerationWorkflowImpl;
import com.figureforge.workflows.generation.JobStoreActivities;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

/**
 * Workers die and replies get lost; jobs must still finish with nothing lost or charged twice. The
 * test swaps the app's workers for new ones on the same task queues, as a redeploy or a crash would.
 */
@FigureForgeE2E
class DurabilityE2ETest {

    /** The workers now polling; the Spring-managed ones are replaced by the first swap. */
    private static WorkerFactory current;

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
    void lostActivityRepliesAreRetriedWithoutASecondFalRequestOrStoredCopy() {
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
            public StoreImageOutput storeImage(StoreImageInput input) {
                StoreImageOutput output = super.storeImage(input);
                stores.incrementAndGet();
                if (lost.add("store-" + input.index())) {
                    throw ApplicationFailure.newFailure("reply lost after store", "LOST_REPLY");
                }
                return output;
            }

            @Override
            public CompleteJobOutput completeJob(CompleteJobInput input) {
                CompleteJobOutput output = super.completeJob(input);
                if (lost.add("complete")) {
                    throw ApplicationFailure.newFailure("reply lost after complete", "LOST_REPLY");
                }
                return output;
            }
        };
        swapWorkers(lossyFal, lossyStore);

        String jobId = e2e.startJob(user, "{\"num_images\":2,\"visibility\":\"public\"}");
        JsonNode job = e2e.awaitFinished(user, jobId);

        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("succeeded");
        assertThat(submits.get()).as("submit ran twice").isEqualTo(2);
        assertThat(stores.get()).as("each store ran twice").isEqualTo(4);
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

    private int objectsUnder(String userId, String jobId) {
        return s3.listObjectsV2(
                        b -> b.bucket(properties.aws().s3().bucket()).prefix("images/" + userId + "/" + jobId + "/"))
                .keyCount();
    }

    /** Stops whatever workers poll now and starts new ones on the same queues with these activities. */
    private void swapWorkers(FalActivities fal, JobStoreActivities store) {
        WorkerFactory running = current == null ? springWorkers : current;
        if (!running.isTerminated()) {
            running.shutdownNow();
            running.awaitTermination(30, TimeUnit.SECONDS);
        }
        // No workflow cache, so no sticky task queue: a real server moves a dead worker's sticky tasks
        // back to the shared queue after StickyScheduleToStartTimeout, the in-process test server never
        // does, and a stopped worker's workflows would wait forever. Without stickiness every task
        // goes to the shared queue, which is what recovery looks like after that timeout.
        WorkerFactory factory = WorkerFactory.newInstance(
                client,
                WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0).build());
        factory.newWorker(TaskQueues.WORKFLOWS).registerWorkflowImplementationTypes(ImageGenerationWorkflowImpl.class);
        factory.newWorker(TaskQueues.FAL).registerActivitiesImplementations(fal);
        factory.newWorker(TaskQueues.STORAGE).registerActivitiesImplementations(store);
        factory.start();
        current = factory;
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
        public FailJobOutput failJob(FailJobInput input) {
            return delegate.failJob(input);
        }
    }
}
