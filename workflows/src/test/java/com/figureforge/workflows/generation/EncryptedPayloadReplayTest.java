package com.figureforge.workflows.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.TaskQueues;
import com.figureforge.workflows.WorkflowIds;
import com.figureforge.workflows.billing.SubscriptionWorkflowImpl;
import com.figureforge.workflows.deletion.AccountDeletionWorkflowImpl;
import com.figureforge.workflows.payloads.ConfiguredPayloadKeys;
import com.figureforge.workflows.payloads.EncryptingPayloadCodec;
import com.figureforge.workflows.payloads.PayloadEncryption;
import com.figureforge.workflows.payloads.PayloadKeys;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Switching payload encryption on must not strand running or recorded workflows: histories recorded
 * without encryption replay with the codec in place, and a history encrypted under a key that has since
 * been retired (rotation) still replays while that key is configured as retired.
 */
class EncryptedPayloadReplayTest {

    private static final String KEY_A = key();
    private static final String KEY_B = key();

    private static String key() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static TestWorkflowEnvironment environment(PayloadKeys keys) {
        return TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
                .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
                        .setDataConverter(PayloadEncryption.dataConverter(keys))
                        .build())
                .build());
    }

    @Test
    void unencryptedHistoriesRecordedBeforeReplayWithTheCodecInPlace() throws Exception {
        Map<String, Class<?>> recorded = Map.of(
                "/histories/image-generation-blocked-image.json", ImageGenerationWorkflowImpl.class,
                "/histories/image-generation-canceled-while-running.json", ImageGenerationWorkflowImpl.class,
                "/histories/image-generation-fal-events.json", ImageGenerationWorkflowImpl.class,
                "/histories/image-generation-lean-finish.json", ImageGenerationWorkflowImpl.class,
                "/histories/subscription-grace-expiry.json", SubscriptionWorkflowImpl.class,
                "/histories/subscription-updates-and-duplicates.json", SubscriptionWorkflowImpl.class,
                "/histories/account-deletion-with-running-job.json", AccountDeletionWorkflowImpl.class,
                "/histories/account-deletion-deleting-executions.json", AccountDeletionWorkflowImpl.class);
        for (var history : recorded.entrySet()) {
            String json = read(history.getKey());
            assertThat(json).as("recorded without encryption").doesNotContain("YmluYXJ5L2VuY3J5cHRlZA==");
            // One environment per replay: a replayer registers the workflow type on the environment's worker.
            try (TestWorkflowEnvironment env = environment(new ConfiguredPayloadKeys("a", KEY_A, Map.of()))) {
                WorkflowReplayer.replayWorkflowExecution(
                        WorkflowExecutionHistory.fromJson(json), env, history.getValue());
            }
        }
    }

    @Test
    void aHistoryEncryptedWithARetiredKeyReplaysOnlyWhileThatKeyIsKnown() throws Exception {
        WorkflowExecutionHistory history;
        try (TestWorkflowEnvironment env = environment(new ConfiguredPayloadKeys("a", KEY_A, Map.of()))) {
            history = runJob(env);
        }
        List<Payload> input = history.getHistory()
                .getEvents(0)
                .getWorkflowExecutionStartedEventAttributes()
                .getInput()
                .getPayloadsList();
        assertThat(input)
                .isNotEmpty()
                .allSatisfy(payload ->
                        assertThat(EncryptingPayloadCodec.isEncrypted(payload)).isTrue());
        assertThat(history.toJson(false)).doesNotContain("a figure of a dancer");

        try (TestWorkflowEnvironment rotated = environment(new ConfiguredPayloadKeys("b", KEY_B, Map.of("a", KEY_A)))) {
            WorkflowReplayer.replayWorkflowExecution(history, rotated, ImageGenerationWorkflowImpl.class);
        }
        try (TestWorkflowEnvironment forgotten = environment(new ConfiguredPayloadKeys("b", KEY_B, Map.of()))) {
            assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecution(
                            history, forgotten, ImageGenerationWorkflowImpl.class))
                    .hasStackTraceContaining("unknown key id 'a'");
        }
    }

    private static WorkflowExecutionHistory runJob(TestWorkflowEnvironment env) {
        env.registerSearchAttribute(
                FigureForgeSearchAttributes.USER_ID.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        env.registerSearchAttribute(
                FigureForgeSearchAttributes.JOB_STATUS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        env.newWorker(TaskQueues.WORKFLOWS).registerWorkflowImplementationTypes(ImageGenerationWorkflowImpl.class);
        FakeFal fal = new FakeFal();
        env.newWorker(TaskQueues.FAL).registerActivitiesImplementations(fal);
        // Without a status-stream worker the run waited for fal by its safety poll: 90 s of real time.
        env.newWorker(TaskQueues.FAL_EVENTS).registerActivitiesImplementations(new FakeFalEvents(fal));
        env.newWorker(TaskQueues.STORAGE).registerActivitiesImplementations(new FakeJobStore());
        env.start();
        String workflowId = WorkflowIds.imageGeneration("job-encrypted");
        ImageGenerationWorkflow.ImageGenerationInput input = ImageGenerationWorkflowTest.input(1, 600);
        input = new ImageGenerationWorkflow.ImageGenerationInput(
                input.jobId(),
                input.userId(),
                new FalImageRequest("fal-ai/flux/dev", "a figure of a dancer", "portrait_4_3", 1L, 1, true, "png"),
                input.deadlineSeconds());
        env.getWorkflowClient()
                .newWorkflowStub(
                        ImageGenerationWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(workflowId)
                                .setTaskQueue(TaskQueues.WORKFLOWS)
                                .build())
                .generate(input);
        return env.getWorkflowClient().fetchHistory(workflowId);
    }

    private static String read(String resource) throws Exception {
        try (InputStream in = EncryptedPayloadReplayTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
