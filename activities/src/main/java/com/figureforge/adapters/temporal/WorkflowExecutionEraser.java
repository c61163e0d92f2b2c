package com.figureforge.adapters.temporal;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.filter.v1.StartTimeFilter;
import io.temporal.api.filter.v1.WorkflowExecutionFilter;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DeleteWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the closed runs of a workflow id from Temporal ({@code DeleteWorkflowExecution}): the history,
 * its payloads and its visibility record, so nothing of a deleted user outlives the account in Temporal.
 * Runs are found two ways: the latest run by {@code DescribeWorkflowExecution} (strongly consistent, so a
 * run closed a moment ago is found) and older runs (continue-as-new, a restarted deletion) by
 * {@code ListClosedWorkflowExecutions} filtered on the workflow id. A running run is never deleted, nor
 * the caller's own run. Idempotent: what is already gone ({@code NOT_FOUND}) counts as done.
 */
public class WorkflowExecutionEraser {

    private static final Logger log = LoggerFactory.getLogger(WorkflowExecutionEraser.class);

    private final WorkflowServiceStubs service;
    private final String namespace;

    public WorkflowExecutionEraser(WorkflowServiceStubs service, String namespace) {
        this.service = Objects.requireNonNull(service);
        this.namespace = Objects.requireNonNull(namespace);
    }

    /** The server answered {@code UNIMPLEMENTED} to {@code DeleteWorkflowExecution} (the Java test server does). */
    public static final class DeletionUnsupportedException extends RuntimeException {
        DeletionUnsupportedException(StatusRuntimeException cause) {
            super("this Temporal server does not implement DeleteWorkflowExecution", cause);
        }
    }

    /**
     * Deletes every closed run of {@code workflowId} but {@code keepRunId}.
     *
     * @return the runs this call deleted
     * @throws DeletionUnsupportedException if the server cannot delete executions at all
     */
    public long deleteClosedRuns(String workflowId, String keepRunId) {
        Set<String> closedRuns = new LinkedHashSet<>();
        WorkflowExecutionInfo latest = describe(workflowId);
        if (latest == null) {
            return 0; // never ran, or deleted before (its older runs went with the earlier call)
        }
        if (latest.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
            closedRuns.add(latest.getExecution().getRunId());
        }
        closedRuns.addAll(olderClosedRuns(workflowId));
        closedRuns.remove(keepRunId);
        long deleted = 0;
        for (String runId : closedRuns) {
            if (delete(workflowId, runId)) {
                deleted++;
            }
        }
        if (deleted > 0) {
            log.debug("deleted {} closed run(s) of workflow {}", deleted, workflowId);
        }
        return deleted;
    }

    private WorkflowExecutionInfo describe(String workflowId) {
        try {
            return service.blockingStub()
                    .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(namespace)
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                            .build())
                    .getWorkflowExecutionInfo();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /** Closed runs the visibility store lists for the id (it may lag behind by a moment: see describe). */
    private Set<String> olderClosedRuns(String workflowId) {
        Set<String> runs = new LinkedHashSet<>();
        ListClosedWorkflowExecutionsRequest.Builder request = ListClosedWorkflowExecutionsRequest.newBuilder()
                .setNamespace(namespace)
                .setMaximumPageSize(100)
                .setExecutionFilter(WorkflowExecutionFilter.newBuilder().setWorkflowId(workflowId))
                .setStartTimeFilter(StartTimeFilter.newBuilder()
                        .setEarliestTime(Timestamp.getDefaultInstance())
                        .setLatestTime(Timestamp.newBuilder()
                                .setSeconds(Instant.now().plusSeconds(86_400).getEpochSecond())));
        try {
            do {
                ListClosedWorkflowExecutionsResponse page =
                        service.blockingStub().listClosedWorkflowExecutions(request.build());
                page.getExecutionsList()
                        .forEach(info -> runs.add(info.getExecution().getRunId()));
                request.setNextPageToken(page.getNextPageToken());
            } while (!request.getNextPageToken().isEmpty());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                throw e;
            }
            log.debug("listing closed runs is not supported here: only the latest run of {} is deleted", workflowId);
        }
        return runs;
    }

    private boolean delete(String workflowId, String runId) {
        try {
            service.blockingStub()
                    .deleteWorkflowExecution(DeleteWorkflowExecutionRequest.newBuilder()
                            .setNamespace(namespace)
                            .setWorkflowExecution(WorkflowExecution.newBuilder()
                                    .setWorkflowId(workflowId)
                                    .setRunId(runId))
                            .build());
            return true;
        } catch (StatusRuntimeException e) {
            return switch (e.getStatus().getCode()) {
                case NOT_FOUND -> false;
                case UNIMPLEMENTED -> throw new DeletionUnsupportedException(e);
                default -> throw e;
            };
        }
    }
}
