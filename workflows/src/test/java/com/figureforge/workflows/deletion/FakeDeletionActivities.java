package com.figureforge.workflows.deletion;

import com.figureforge.workflows.WorkflowIds;
import io.grpc.StatusRuntimeException;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stands in for the deletion activities in workflow tests: a user with some items, objects and jobs in
 * flight, plus injectable faults. The real activities are tested against dynalite, S3Proxy and WireMock
 * in the activities module. One instance per test, shared by the workers of that test (also by a worker
 * started after a simulated crash).
 */
class FakeDeletionActivities implements AccountDeletionActivities {

    /** Every call, attempts included, as {@code method} or {@code method:failed}. */
    final List<String> calls = new CopyOnWriteArrayList<>();
    /** Attempts that must fail, per method name, before one succeeds. */
    final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();

    final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    final AtomicLong items = new AtomicLong(12);
    final AtomicLong objects = new AtomicLong(8);
    /** Items that appear after the first pass (a late write), to be found by a later pass. */
    final AtomicLong lateItems = new AtomicLong();

    volatile String profileCustomer;
    volatile boolean poolConfigured = true;
    volatile boolean cognitoUserExists = true;
    volatile Instant tombstoneRequestedAt;
    volatile String cognitoUsername;
    volatile Instant deletedAt;
    /** Closed executions the fake Temporal holds for the user; deleteWorkflowExecutions takes them. */
    final AtomicLong closedExecutions = new AtomicLong(4);
    /** False: the server answers as the Java test server does (cannot delete executions). */
    volatile boolean executionDeletionSupported = true;
    /** Items and executions left, as deleteWorkflowExecutions found them (must run before the data). */
    volatile long itemsWhenExecutionsDeleted = -1;

    final List<List<String>> billed = new CopyOnWriteArrayList<>();

    /** When set, deleteItems deletes this many items, heartbeats, and then dies (once). */
    volatile long crashItemsAfter = -1;
    /** The heartbeat details each deleteItems attempt started from. */
    final List<Long> itemsResumedFrom = new CopyOnWriteArrayList<>();

    /** When set, deleteImages waits for it (to observe the workflow mid-step). */
    volatile CountDownLatch imagesGate;

    private final WorkflowClient client;

    FakeDeletionActivities(WorkflowClient client) {
        this.client = client;
    }

    void failTimes(String method, int times) {
        failuresLeft.put(method, new AtomicInteger(times));
    }

    private void enter(String method) {
        AtomicInteger left = failuresLeft.get(method);
        if (left != null && left.getAndDecrement() > 0) {
            calls.add(method + ":failed");
            throw ApplicationFailure.newFailure("injected fault in " + method, "InjectedFault");
        }
        calls.add(method);
    }

    List<String> successfulCalls() {
        return calls.stream().filter(call -> !call.endsWith(":failed")).toList();
    }

    @Override
    public BlockNewWorkOutput blockNewWork(BlockNewWorkInput input) {
        enter("blockNewWork");
        boolean first = tombstoneRequestedAt == null;
        if (first) {
            tombstoneRequestedAt = input.requestedAt();
        }
        return new BlockNewWorkOutput(first, profileCustomer);
    }

    @Override
    public ListInFlightJobsOutput listInFlightJobs(ListInFlightJobsInput input) {
        enter("listInFlightJobs");
        return new ListInFlightJobsOutput(new ArrayList<>(new TreeSet<>(inFlight)));
    }

    @Override
    public FindRunningGenerationsOutput findRunningGenerations(FindRunningGenerationsInput input) {
        enter("findRunningGenerations");
        List<String> running = new ArrayList<>();
        for (String job : input.jobIds()) {
            try {
                var status = client.newUntypedWorkflowStub(WorkflowIds.imageGeneration(job))
                        .describe()
                        .getStatus();
                if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
                    running.add(job);
                }
            } catch (WorkflowNotFoundException | StatusRuntimeException never) {
                // no workflow: nothing to wait for (the test server answers NOT_FOUND)
            }
        }
        return new FindRunningGenerationsOutput(running);
    }

    @Override
    public CancelBillingOutput cancelBilling(CancelBillingInput input) {
        enter("cancelBilling");
        billed.add(input.stripeCustomerIds());
        return new CancelBillingOutput(input.stripeCustomerIds());
    }

    @Override
    public DeleteWorkflowExecutionsOutput deleteWorkflowExecutions(DeleteWorkflowExecutionsInput input) {
        enter("deleteWorkflowExecutions");
        itemsWhenExecutionsDeleted = items.get();
        if (!executionDeletionSupported) {
            return new DeleteWorkflowExecutionsOutput(0, false);
        }
        return new DeleteWorkflowExecutionsOutput(closedExecutions.getAndSet(0), true);
    }

    @Override
    public DeleteItemsOutput deleteItems(DeleteItemsInput input) {
        enter("deleteItems");
        ActivityExecutionContext context = Activity.getExecutionContext();
        long deleted = context.getHeartbeatDetails(Long.class).orElse(0L);
        itemsResumedFrom.add(deleted);
        while (items.get() > 0) {
            items.decrementAndGet();
            deleted++;
            context.heartbeat(deleted);
            if (crashItemsAfter >= 0 && deleted >= crashItemsAfter) {
                crashItemsAfter = -1;
                calls.add("deleteItems:crashed");
                throw new IllegalStateException("worker died after " + deleted + " items");
            }
        }
        // what a concurrent writer left behind shows up for the next pass
        items.addAndGet(lateItems.getAndSet(0));
        return new DeleteItemsOutput(deleted);
    }

    @Override
    public DeleteImagesOutput deleteImages(DeleteImagesInput input) {
        enter("deleteImages");
        CountDownLatch gate = imagesGate;
        if (gate != null) {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return new DeleteImagesOutput(objects.getAndSet(0));
    }

    @Override
    public DeleteCognitoUserOutput deleteCognitoUser(DeleteCognitoUserInput input) {
        enter("deleteCognitoUser");
        cognitoUsername = input.username();
        if (!poolConfigured) {
            return new DeleteCognitoUserOutput(LoginDeletion.SKIPPED);
        }
        boolean existed = cognitoUserExists;
        cognitoUserExists = false;
        return new DeleteCognitoUserOutput(existed ? LoginDeletion.DELETED : LoginDeletion.NOT_FOUND);
    }

    @Override
    public WriteTombstoneOutput writeTombstone(WriteTombstoneInput input) {
        enter("writeTombstone");
        if (deletedAt == null) {
            deletedAt = Instant.parse("2026-11-25T12:00:00Z");
        }
        return new WriteTombstoneOutput(deletedAt);
    }
}
