package com.figureforge.activities.generation;

import static com.figureforge.activities.generation.ActivityTestStack.applicationFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.adapters.fal.FalClientSettings;
import com.figureforge.adapters.fal.FalQueueClient;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.generation.FalEventActivities;
import com.figureforge.workflows.generation.FalEventActivities.AwaitCompletionInput;
import com.figureforge.workflows.generation.FalEventActivities.AwaitCompletionOutput;
import com.figureforge.workflows.generation.FalImageRequest;
import com.figureforge.workflows.generation.FalSubmission;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The status-stream activity against the fal emulator's real server-sent events. */
class FalEventActivitiesImplTest {

    private static FalEmulator emulator;
    private static FalQueueClient client;

    private TestActivityEnvironment env;
    private FalEventActivities activities;

    @BeforeAll
    static void startServers() {
        emulator = FalEmulator.start(0, Duration.ofMillis(200), Duration.ofMillis(300));
        client = new FalQueueClient(
                new FalClientSettings(emulator.baseUrl(), "test-key", Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stopServers() {
        client.close();
        emulator.close();
    }

    @BeforeEach
    void setUp() {
        emulator.reset();
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(new FalEventActivitiesImpl(client));
        activities = env.newActivityStub(
                FalEventActivities.class,
                ActivityOptions.newBuilder()
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setHeartbeatTimeout(Duration.ofSeconds(10))
                        .setRetryOptions(
                                RetryOptions.newBuilder().setMaximumAttempts(1).build())
                        .build());
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private static FalSubmission submit() {
        return client.submit(new FalImageRequest("fal-ai/flux/dev", "a dancer", "square", 7L, 2, true, "png"));
    }

    @Test
    void followsTheStreamToCompletionAndBringsTheResult() {
        FalSubmission submission = submit();

        AwaitCompletionOutput output = activities.awaitCompletion(new AwaitCompletionInput("job-1", submission));

        assertThat(output.result().images()).hasSize(2);
        assertThat(output.result().seed()).isEqualTo(7L);
        assertThat(output.result().nsfw()).containsExactly(false, false);
    }

    @Test
    void aRequestThatFailedOnFalsRunnerFailsForGood() {
        emulator.failNextRuns(1);
        FalSubmission submission = submit();

        ApplicationFailure failure =
                applicationFailure(() -> activities.awaitCompletion(new AwaitCompletionInput("job-1", submission)));

        assertThat(failure.getType()).isEqualTo(FailureType.FAL_REQUEST_FAILED.name());
    }

    @Test
    void aStreamThatCannotBeOpenedIsRetryable() {
        FalSubmission submission = submit();
        emulator.failNextPolls(1, 503);

        ApplicationFailure failure =
                applicationFailure(() -> activities.awaitCompletion(new AwaitCompletionInput("job-1", submission)));

        assertThat(failure.getType()).isEqualTo(FailureType.FAL_UNAVAILABLE.name());
        assertThat(failure.isNonRetryable()).isFalse();
    }

    @Test
    void aCancelStopsTheWaitAtTheNextHeartbeat() throws Exception {
        emulator.setNeverFinish(true);
        FalSubmission submission = submit();

        CompletableFuture<AwaitCompletionOutput> waiting = CompletableFuture.supplyAsync(
                () -> activities.awaitCompletion(new AwaitCompletionInput("job-1", submission)));
        Thread.sleep(1_000);
        env.requestCancelActivity();

        // Never finishing, the wait would time out here; canceled, it ends with the cancellation.
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }
}
