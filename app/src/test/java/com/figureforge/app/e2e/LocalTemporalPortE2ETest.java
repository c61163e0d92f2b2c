package com.figureforge.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.devstack.LocalTemporalServer;
import com.figureforge.devstack.oidc.OidcIssuer;
import com.figureforge.workflows.FigureForgeSearchAttributes;
import com.figureforge.workflows.WorkflowIds;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.filter.v1.WorkflowExecutionFilter;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc.WorkflowServiceBlockingStub;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The local stack's Temporal listens on a loopback port (the local run: 127.0.0.1:7233; here any free
 * port), and the app reaches it there: an outside client, as the Temporal CLI is, sees the runs the app
 * started. The calls below are the ones {@code temporal workflow describe/show} and the open/closed
 * listings make; the query-based listing ({@code temporal workflow list}, the Web UI) is what the test
 * server lacks (docs/operations.md).
 */
@FigureForgeE2E
class LocalTemporalPortE2ETest {

    private static final String NAMESPACE = "default";

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    UserRepository users;

    @Autowired
    LocalTemporalServer temporalPort;

    @Test
    void anOutsideClientOnTheLoopbackPortSeesTheRunsTheAppStarted() throws Exception {
        assertThat(temporalPort.listenAddresses())
                .isNotEmpty()
                .allSatisfy(address -> assertThat(
                                ((InetSocketAddress) address).getAddress().isLoopbackAddress())
                        .as("listens on loopback only: %s", address)
                        .isTrue());
        E2ESupport e2e = new E2ESupport(new ApiClient(port), issuer, users);
        E2ESupport.User user = e2e.newUser("free");
        String jobId = e2e.startJob(user, "{}");
        assertThat(e2e.awaitFinished(user, jobId).get("status").asString()).isEqualTo("succeeded");
        String workflowId = WorkflowIds.imageGeneration(jobId);

        WorkflowServiceStubs outside = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(temporalPort.target())
                .build());
        try {
            WorkflowServiceBlockingStub temporal = outside.blockingStub();

            assertThat(temporal.describeNamespace(DescribeNamespaceRequest.newBuilder()
                                    .setNamespace(NAMESPACE)
                                    .build())
                            .getNamespaceInfo()
                            .getName())
                    .isEqualTo(NAMESPACE);

            var describe = DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace(NAMESPACE)
                    .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                    .build();
            // The job is settled in the run's last step; the run closes one workflow task later.
            var run = temporal.describeWorkflowExecution(describe).getWorkflowExecutionInfo();
            for (long until = System.nanoTime() + 10_000_000_000L;
                    run.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
                            && System.nanoTime() < until; ) {
                Thread.sleep(50);
                run = temporal.describeWorkflowExecution(describe).getWorkflowExecutionInfo();
            }
            String runId = run.getExecution().getRunId();
            assertThat(run.getType().getName()).isEqualTo("ImageGenerationWorkflow");
            assertThat(run.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
            assertThat(DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                            run.getSearchAttributes()
                                    .getIndexedFieldsMap()
                                    .get(FigureForgeSearchAttributes.USER_ID.getName()),
                            String.class,
                            String.class))
                    .isEqualTo(user.id());

            var history = temporal.getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
                            .setNamespace(NAMESPACE)
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                            .build())
                    .getHistory()
                    .getEventsList();
            assertThat(history.get(0).getEventType()).isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
            assertThat(history.get(history.size() - 1).getEventType())
                    .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);

            assertThat(temporal.listClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest.newBuilder()
                                    .setNamespace(NAMESPACE)
                                    .setExecutionFilter(
                                            WorkflowExecutionFilter.newBuilder().setWorkflowId(workflowId))
                                    .build())
                            .getExecutionsList())
                    .singleElement()
                    .satisfies(closed ->
                            assertThat(closed.getExecution().getRunId()).isEqualTo(runId));

            assertThatThrownBy(() -> temporal.listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                            .setNamespace(NAMESPACE)
                            .setQuery("WorkflowId=\"" + workflowId + "\"")
                            .build()))
                    .as("no query-based visibility: `temporal workflow list` and the Web UI's list need it")
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        } finally {
            outside.shutdownNow();
        }
    }
}
