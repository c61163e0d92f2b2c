package com.figureforge.adapters.temporal;

import static io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
import static io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW;
import static io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
import static io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.testing.TestWorkflowEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkflowExecutionEraserTest {

    private FakeWorkflowService temporal;
    private WorkflowExecutionEraser eraser;

    @BeforeEach
    void start() throws Exception {
        temporal = new FakeWorkflowService();
        eraser = new WorkflowExecutionEraser(temporal.stubs(), "default");
    }

    @AfterEach
    void stop() {
        temporal.close();
    }

    @Test
    void everyClosedRunIsDeletedTheLatestAndThoseBeforeIt() {
        String first = temporal.add("subscription/u1", WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
        String second = temporal.add("subscription/u1", WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
        String latest = temporal.add("subscription/u1", WORKFLOW_EXECUTION_STATUS_TERMINATED);
        temporal.add("subscription/u2", WORKFLOW_EXECUTION_STATUS_TERMINATED);

        assertThat(eraser.deleteClosedRuns("subscription/u1", "own-run")).isEqualTo(3);

        assertThat(temporal.runsOf("subscription/u1")).isEmpty();
        assertThat(temporal.runsOf("subscription/u2")).as("someone else's").hasSize(1);
        assertThat(temporal.deleteRequests)
                .containsExactlyInAnyOrder(
                        "subscription/u1/" + first, "subscription/u1/" + second, "subscription/u1/" + latest);
    }

    @Test
    void aRunningRunAndTheCallersOwnRunAreKept() {
        String closed = temporal.add("account-deletion/u1", WORKFLOW_EXECUTION_STATUS_TERMINATED);
        String own = temporal.add("account-deletion/u1", WORKFLOW_EXECUTION_STATUS_RUNNING);
        String job = temporal.add("image-generation/j1", WORKFLOW_EXECUTION_STATUS_RUNNING);

        assertThat(eraser.deleteClosedRuns("account-deletion/u1", own)).isEqualTo(1);
        assertThat(eraser.deleteClosedRuns("image-generation/j1", own)).isZero();

        assertThat(temporal.deleteRequests).containsExactly("account-deletion/u1/" + closed);
        assertThat(temporal.runsOf("account-deletion/u1"))
                .extracting(FakeWorkflowService.Run::runId)
                .containsExactly(own);
        assertThat(temporal.runsOf("image-generation/j1"))
                .extracting(FakeWorkflowService.Run::runId)
                .containsExactly(job);
    }

    @Test
    void whatIsAlreadyGoneCountsAsDoneSoARepeatDeletesNothing() {
        temporal.add("image-generation/j1", WORKFLOW_EXECUTION_STATUS_COMPLETED);
        temporal.staleListings.add("deleted-earlier"); // still listed by a lagging visibility store

        assertThat(eraser.deleteClosedRuns("image-generation/j1", "own")).isEqualTo(1);
        assertThat(temporal.deleteRequests).hasSize(2); // the stale one answered NOT_FOUND
        assertThat(eraser.deleteClosedRuns("image-generation/j1", "own")).isZero();
        assertThat(eraser.deleteClosedRuns("image-generation/never-ran", "own")).isZero();
    }

    /** The Java test server (the local stack's Temporal) implements Describe and List, not Delete. */
    @Test
    void aServerWithoutDeleteWorkflowExecutionSaysSo() {
        try (TestWorkflowEnvironment testServer = TestWorkflowEnvironment.newInstance()) {
            testServer.start();
            var stub = testServer
                    .getWorkflowClient()
                    .newUntypedWorkflowStub(
                            "Anything",
                            io.temporal.client.WorkflowOptions.newBuilder()
                                    .setWorkflowId("image-generation/j-test-server")
                                    .setTaskQueue("nobody-polls")
                                    .build());
            stub.start();
            stub.terminate("closed for the test");
            var onTestServer =
                    new WorkflowExecutionEraser(testServer.getWorkflowServiceStubs(), testServer.getNamespace());

            assertThatThrownBy(() -> onTestServer.deleteClosedRuns("image-generation/j-test-server", "own"))
                    .isInstanceOf(WorkflowExecutionEraser.DeletionUnsupportedException.class);
            assertThat(onTestServer.deleteClosedRuns("image-generation/never-ran", "own"))
                    .isZero();
        }
    }
}
