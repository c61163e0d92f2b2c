package com.figureforge.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.RetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * SIGTERM on a worker: Spring closes the context, {@link WorkerDrain} stops polling and waits for the
 * activity that is running; it completes and reports once, and a worker started afterwards (the next
 * pod) finishes the workflow without running the activity again.
 */
class WorkerDrainTest {

    /** As in FigureForge, workflows and activities have their own queues (and here their own pods). */
    private static final String WORKFLOWS = "drain-test-workflows";

    private static final String ACTIVITIES = "drain-test-activities";

    @WorkflowInterface
    public interface OneSlowStep {
        @WorkflowMethod
        String run();
    }

    @ActivityInterface
    public interface SlowStep {
        String work();
    }

    public static class OneSlowStepImpl implements OneSlowStep {
        private final SlowStep step = Workflow.newActivityStub(
                SlowStep.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(ACTIVITIES)
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setRetryOptions(RetryOptions.newBuilder()
                                .setInitialInterval(Duration.ofMillis(100))
                                .build())
                        .build());

        @Override
        public String run() {
            return "finished after " + step.work();
        }
    }

    static final class SlowStepImpl implements SlowStep {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger completed = new AtomicInteger();
        final CountDownLatch running = new CountDownLatch(1);

        @Override
        public String work() {
            started.incrementAndGet();
            running.countDown();
            try {
                Thread.sleep(1_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: the worker did not wait", e);
            }
            completed.incrementAndGet();
            return "the slow step";
        }
    }

    private TestServer.PortBoundTestServer temporal;
    private String target;
    private WorkflowServiceStubs clientStubs;
    private WorkflowClient client;

    /** A real gRPC endpoint, so each "pod" has its own connection, closed with its context. */
    @BeforeEach
    void startTemporal() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        temporal = TestServer.createPortBoundServer(port, true);
        target = "127.0.0.1:" + port;
        clientStubs = stubs();
        client = WorkflowClient.newInstance(clientStubs);
    }

    @AfterEach
    void stopTemporal() {
        clientStubs.shutdownNow();
        temporal.close();
    }

    private WorkflowServiceStubs stubs() {
        return WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    }

    @Test
    void theActivityRunningAtShutdownCompletesOnceAndTheNextWorkerFinishesTheWorkflow() throws Exception {
        // The pod that stays runs the workflows; the stopping pod runs the activity.
        WorkflowServiceStubs nextPodStubs = stubs();
        WorkerFactory nextPodWorkflows = workerFactory(nextPodStubs, null, true);
        nextPodWorkflows.start();
        SlowStepImpl activity = new SlowStepImpl();
        WorkflowServiceStubs podStubs = stubs();
        WorkerFactory stopping = workerFactory(podStubs, activity, false);
        AnnotationConfigApplicationContext context = workerContext(podStubs, stopping, "20s");
        stopping.start();

        OneSlowStep workflow = client.newWorkflowStub(
                OneSlowStep.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(WORKFLOWS)
                        .setWorkflowId("drain-test-1")
                        .build());
        WorkflowClient.start(workflow::run);
        assertThat(activity.running.await(10, TimeUnit.SECONDS))
                .as("activity started")
                .isTrue();

        // A rolling update: the next pod's activity worker already polls when the old pod gets SIGTERM.
        SlowStepImpl nextPodActivity = new SlowStepImpl();
        WorkerFactory next = workerFactory(nextPodStubs, nextPodActivity, false);
        next.start();
        try {
            context.close(); // what SIGTERM does to the Spring context

            assertThat(activity.completed).as("completed before close returned").hasValue(1);
            assertThat(stopping.isTerminated()).isTrue();
            String result = WorkflowStub.fromTyped(workflow).getResult(10, TimeUnit.SECONDS, String.class);
            assertThat(result).isEqualTo("finished after the slow step");
        } finally {
            next.shutdownNow();
            nextPodWorkflows.shutdownNow();
            nextPodStubs.shutdownNow();
        }
        assertThat(activity.started).as("runs on the stopping worker").hasValue(1);
        assertThat(nextPodActivity.started).as("runs on the next worker").hasValue(0);
        var events = client.fetchHistory("drain-test-1").getEvents().stream()
                .map(e -> e.getEventType())
                .toList();
        assertThat(events).containsOnlyOnce(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
        assertThat(events)
                .doesNotContain(
                        EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
    }

    @Test
    void aStepLongerThanTheDrainTimeoutIsInterruptedAtTheDrainTimeout() throws Exception {
        SlowStepImpl activity = new SlowStepImpl();
        WorkflowServiceStubs podStubs = stubs();
        WorkerFactory stopping = workerFactory(podStubs, activity, true);
        AnnotationConfigApplicationContext context = workerContext(podStubs, stopping, "200ms");
        stopping.start();
        OneSlowStep workflow = client.newWorkflowStub(
                OneSlowStep.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(WORKFLOWS)
                        .setWorkflowId("drain-test-2")
                        .build());
        WorkflowClient.start(workflow::run);
        assertThat(activity.running.await(10, TimeUnit.SECONDS)).isTrue();

        context.close();

        assertThat(activity.completed).as("cut off at the drain timeout").hasValue(0);
        assertThat(stopping.isTerminated()).isTrue();
    }

    /** A pod's worker factory: the activity worker, and the workflow worker when it hosts workflows. */
    private WorkerFactory workerFactory(WorkflowServiceStubs podStubs, SlowStep activity, boolean workflows) {
        WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(
                podStubs,
                WorkflowClientOptions.newBuilder()
                        .setIdentity("pod-" + podStubs.hashCode())
                        .build()));
        if (activity != null) {
            factory.newWorker(ACTIVITIES).registerActivitiesImplementations(activity);
        }
        if (workflows) {
            factory.newWorker(WORKFLOWS).registerWorkflowImplementationTypes(OneSlowStepImpl.class);
        }
        return factory;
    }

    /**
     * The worker role's shutdown path: the starter's stubs and factory beans (destroyed after the
     * lifecycle stop, as the starter declares them) and the drain.
     */
    private static AnnotationConfigApplicationContext workerContext(
            WorkflowServiceStubs podStubs, WorkerFactory factory, String drainTimeout) {
        var context = new AnnotationConfigApplicationContext();
        context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource("test", Map.of("figureforge.worker.drain-timeout", drainTimeout)));
        context.registerBean(
                WorkflowServiceStubs.class, () -> podStubs, bean -> bean.setDestroyMethodName("shutdownNow"));
        context.registerBean(WorkerFactory.class, () -> factory, bean -> bean.setDestroyMethodName("shutdown"));
        context.register(WorkerDrainConfiguration.class);
        context.refresh();
        return context;
    }
}
