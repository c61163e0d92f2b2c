package com.figureforge.activities.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.workflows.FailureChain;
import com.figureforge.workflows.FailureType;
import com.uber.m3.tally.Buckets;
import com.uber.m3.tally.Capabilities;
import com.uber.m3.tally.CapableOf;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.tally.StatsReporter;
import com.uber.m3.util.Duration;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;

/**
 * The interceptor on a real worker of the Temporal test server, with activities retried without limit
 * except for the failure types that will not change (as {@code RetryPolicies} configures them).
 */
class NonRetryableErrorInterceptorTest {

    private static final String QUEUE = "retry-hygiene";

    @WorkflowInterface
    public interface Probe {
        @WorkflowMethod
        String run(String failure);
    }

    @ActivityInterface
    public interface Step {
        String step(String failure);
    }

    public static class ProbeImpl implements Probe {
        @Override
        public String run(String failure) {
            return Workflow.newActivityStub(
                            Step.class,
                            ActivityOptions.newBuilder()
                                    .setStartToCloseTimeout(java.time.Duration.ofSeconds(10))
                                    .setRetryOptions(RetryOptions.newBuilder()
                                            .setInitialInterval(java.time.Duration.ofMillis(10))
                                            .setBackoffCoefficient(1.0)
                                            .setDoNotRetry(FailureType.nonRetryable())
                                            .build())
                                    .build())
                    .step(failure);
        }
    }

    /** Fails the first {@code failures} attempts with the named error, then succeeds. */
    static class FlakyStep implements Step {
        final AtomicInteger attempts = new AtomicInteger();
        volatile int failures;

        @Override
        public String step(String failure) {
            int attempt = attempts.incrementAndGet();
            if (attempt > failures) {
                return "done after " + attempt;
            }
            throw switch (failure) {
                case "npe" -> new NullPointerException("a bug");
                case "validation" ->
                    DynamoDbException.builder()
                            .statusCode(400)
                            .awsErrorDetails(AwsErrorDetails.builder()
                                    .errorCode("ValidationException")
                                    .errorMessage("Item size has exceeded the maximum allowed size")
                                    .build())
                            .build();
                case "throttled" ->
                    ProvisionedThroughputExceededException.builder()
                            .statusCode(400)
                            .awsErrorDetails(AwsErrorDetails.builder()
                                    .errorCode("ProvisionedThroughputExceededException")
                                    .build())
                            .build();
                default -> new IllegalStateException("could not delete 2 objects (S3 hiccup)");
            };
        }
    }

    /** Collects the counters the workers report. */
    static class CountingReporter implements StatsReporter {
        final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

        @Override
        public void reportCounter(String name, Map<String, String> tags, long value) {
            counters.computeIfAbsent(name + tags, k -> new AtomicLong()).addAndGet(value);
        }

        @Override
        public void reportGauge(String name, Map<String, String> tags, double value) {}

        @Override
        public void reportTimer(String name, Map<String, String> tags, Duration interval) {}

        @Override
        public void reportHistogramValueSamples(
                String name, Map<String, String> tags, Buckets buckets, double lower, double upper, long samples) {}

        @Override
        public void reportHistogramDurationSamples(
                String name, Map<String, String> tags, Buckets buckets, Duration lower, Duration upper, long samples) {}

        @Override
        public Capabilities capabilities() {
            return CapableOf.REPORTING;
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    private TestWorkflowEnvironment env;
    private FlakyStep step;
    private CountingReporter reporter;
    private Scope scope;

    @BeforeEach
    void start() {
        reporter = new CountingReporter();
        scope = new RootScopeBuilder().reporter(reporter).reportEvery(Duration.ofMillis(10));
        env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
                .setMetricsScope(scope)
                .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder()
                        .setWorkerInterceptors(new NonRetryableErrorInterceptor())
                        .build())
                .build());
        step = new FlakyStep();
        env.newWorker(QUEUE).registerWorkflowImplementationTypes(ProbeImpl.class);
        env.newWorker(QUEUE).registerActivitiesImplementations(step);
        env.start();
    }

    @AfterEach
    void stop() throws Exception {
        env.close();
        scope.close();
    }

    private Probe probe() {
        return env.getWorkflowClient()
                .newWorkflowStub(
                        Probe.class,
                        WorkflowOptions.newBuilder().setTaskQueue(QUEUE).build());
    }

    @Test
    void aBugFailsOnceAndForAsNonRetryable() {
        step.failures = Integer.MAX_VALUE;

        assertThatThrownBy(() -> probe().run("npe"))
                .isInstanceOf(WorkflowFailedException.class)
                .satisfies(e -> assertThat(FailureChain.applicationType(e)).contains(FailureType.NON_RETRYABLE.name()));
        assertThat(step.attempts).hasValue(1);
    }

    @Test
    void aDynamoDbValidationErrorIsNotRetried() {
        step.failures = Integer.MAX_VALUE;

        assertThatThrownBy(() -> probe().run("validation"))
                .isInstanceOf(WorkflowFailedException.class)
                .satisfies(e -> assertThat(FailureChain.rootMessage(e)).contains("maximum allowed size"));
        assertThat(step.attempts).hasValue(1);
    }

    @Test
    void throttlingAndOtherPassingErrorsAreRetriedAndCountedWhenTheyPersist() throws Exception {
        step.failures = NonRetryableErrorInterceptor.ATTEMPTS_WORTH_A_LOOK + 2;

        assertThat(probe().run("throttled")).isEqualTo("done after 13");

        Thread.sleep(100); // the scope reports every 10 ms
        long counted = reporter.counters.entrySet().stream()
                .filter(e -> e.getKey().startsWith(NonRetryableErrorInterceptor.HIGH_ATTEMPTS_METRIC))
                .filter(e -> e.getKey().contains("activity_type=Step"))
                .mapToLong(e -> e.getValue().get())
                .sum();
        assertThat(counted).as("attempts 11, 12 and 13").isEqualTo(3);
    }

    @Test
    void anIllegalStateIsRetried() {
        step.failures = 2;

        assertThat(probe().run("partial-delete")).isEqualTo("done after 3");
    }
}
