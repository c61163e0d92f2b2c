package com.figureforge.adapters.temporal;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DeleteWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DeleteWorkflowExecutionResponse;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoResponse;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Temporal frontend at the wire (in-process gRPC) that does what the Java test server does not:
 * {@code DeleteWorkflowExecution}. It keeps runs per workflow id (the last one is the latest) with their
 * status, answers GetSystemInfo, Describe (latest run), ListClosed (filtered by workflow id) and Delete,
 * and records every delete request. Everything else is UNIMPLEMENTED.
 */
public final class FakeWorkflowService extends WorkflowServiceGrpc.WorkflowServiceImplBase implements AutoCloseable {

    public record Run(String workflowId, String runId, WorkflowExecutionStatus status) {}

    public final List<Run> runs = new CopyOnWriteArrayList<>();
    final List<String> deleteRequests = new CopyOnWriteArrayList<>();
    /** Runs the visibility store still lists although they are deleted (it lags behind). */
    final Set<String> staleListings = ConcurrentHashMap.newKeySet();

    private final Server server;
    private final ManagedChannel channel;
    private final WorkflowServiceStubs stubs;

    public FakeWorkflowService() throws IOException {
        String name = "fake-temporal-" + UUID.randomUUID();
        server = InProcessServerBuilder.forName(name).addService(this).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setChannel(channel).build());
    }

    public WorkflowServiceStubs stubs() {
        return stubs;
    }

    public String add(String workflowId, WorkflowExecutionStatus status) {
        String runId = UUID.randomUUID().toString();
        runs.add(new Run(workflowId, runId, status));
        return runId;
    }

    List<Run> runsOf(String workflowId) {
        return runs.stream().filter(r -> r.workflowId().equals(workflowId)).toList();
    }

    private static WorkflowExecutionInfo info(Run run) {
        return WorkflowExecutionInfo.newBuilder()
                .setExecution(WorkflowExecution.newBuilder()
                        .setWorkflowId(run.workflowId())
                        .setRunId(run.runId()))
                .setStatus(run.status())
                .build();
    }

    /** The SDK asks for the server's capabilities first. */
    @Override
    public void getSystemInfo(GetSystemInfoRequest request, StreamObserver<GetSystemInfoResponse> answer) {
        answer.onNext(GetSystemInfoResponse.getDefaultInstance());
        answer.onCompleted();
    }

    @Override
    public void describeWorkflowExecution(
            DescribeWorkflowExecutionRequest request, StreamObserver<DescribeWorkflowExecutionResponse> answer) {
        List<Run> of = runsOf(request.getExecution().getWorkflowId());
        if (of.isEmpty()) {
            answer.onError(
                    Status.NOT_FOUND.withDescription("workflow not found").asRuntimeException());
            return;
        }
        answer.onNext(DescribeWorkflowExecutionResponse.newBuilder()
                .setWorkflowExecutionInfo(info(of.get(of.size() - 1)))
                .build());
        answer.onCompleted();
    }

    @Override
    public void listClosedWorkflowExecutions(
            ListClosedWorkflowExecutionsRequest request, StreamObserver<ListClosedWorkflowExecutionsResponse> answer) {
        String workflowId = request.getExecutionFilter().getWorkflowId();
        List<WorkflowExecutionInfo> closed = new ArrayList<>();
        for (Run run : runsOf(workflowId)) {
            if (run.status() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
                closed.add(info(run));
            }
        }
        for (String stale : staleListings) {
            closed.add(info(new Run(workflowId, stale, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED)));
        }
        answer.onNext(ListClosedWorkflowExecutionsResponse.newBuilder()
                .addAllExecutions(closed)
                .build());
        answer.onCompleted();
    }

    @Override
    public void deleteWorkflowExecution(
            DeleteWorkflowExecutionRequest request, StreamObserver<DeleteWorkflowExecutionResponse> answer) {
        WorkflowExecution execution = request.getWorkflowExecution();
        deleteRequests.add(execution.getWorkflowId() + "/" + execution.getRunId());
        boolean removed = runs.removeIf(run -> run.workflowId().equals(execution.getWorkflowId())
                && run.runId().equals(execution.getRunId()));
        if (!removed) {
            answer.onError(
                    Status.NOT_FOUND.withDescription("execution not found").asRuntimeException());
            return;
        }
        answer.onNext(DeleteWorkflowExecutionResponse.getDefaultInstance());
        answer.onCompleted();
    }

    @Override
    public void close() {
        stubs.shutdownNow();
        channel.shutdownNow();
        server.shutdownNow();
    }
}
