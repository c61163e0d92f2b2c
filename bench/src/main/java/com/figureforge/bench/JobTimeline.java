package com.figureforge.bench;

import com.figureforge.adapters.data.JobRecord;
import com.figureforge.workflows.WorkflowIds;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a job's time goes, read from its workflow history: for each step, the time before it was
 * scheduled (the workflow task that decided it), its wait for a worker and its run, then the time from
 * the last step to the run's end. The median of each over a scenario's jobs shows which part of the
 * overhead over the direct pipeline is orchestration and which is work.
 */
final class JobTimeline {

    private final String target;

    JobTimeline(String target) {
        this.target = target;
    }

    /**
     * Median milliseconds of each phase over the given finished jobs, in the order the phases first appear.
     * Besides the history's phases: from the job record's {@code created_at} to the run's start, and from
     * the start of the last step to the record's {@code finished_at} (the part of that step a user waits for).
     */
    Map<String, Object> medians(List<JobRecord> finishedJobs) {
        Map<String, Latencies> phases = new LinkedHashMap<>();
        WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
        try {
            for (JobRecord job : finishedJobs) {
                String jobId = job.jobId();
                var request = GetWorkflowExecutionHistoryRequest.newBuilder()
                        .setNamespace("default")
                        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(WorkflowIds.imageGeneration(jobId)))
                        .setMaximumPageSize(1000)
                        .build();
                phases(
                                job,
                                service.blockingStub()
                                        .getWorkflowExecutionHistory(request)
                                        .getHistory()
                                        .getEventsList())
                        .forEach((phase, millis) -> phases.computeIfAbsent(phase, name -> new Latencies())
                                .add(millis));
            }
        } finally {
            service.shutdown();
        }
        Map<String, Object> medians = new LinkedHashMap<>();
        phases.forEach((phase, samples) -> medians.put(phase, Latencies.round(samples.percentile(50))));
        return medians;
    }

    private static Map<String, Double> phases(JobRecord job, List<HistoryEvent> events) {
        Map<String, Double> phases = new LinkedHashMap<>();
        Map<Long, String> activityTypes = new HashMap<>();
        Map<Long, Instant> activityStarts = new HashMap<>();
        Instant milestone = null;
        Instant lastStepStart = null;
        for (HistoryEvent event : events) {
            Instant at = Instant.ofEpochSecond(
                    event.getEventTime().getSeconds(), event.getEventTime().getNanos());
            switch (event.getEventType()) {
                case EVENT_TYPE_WORKFLOW_EXECUTION_STARTED -> {
                    phases.put("accept: job record to run start", millis(job.createdAt(), at));
                    milestone = at;
                }
                case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> {
                    String type = event.getActivityTaskScheduledEventAttributes()
                            .getActivityType()
                            .getName();
                    activityTypes.put(event.getEventId(), type);
                    activityStarts.put(event.getEventId(), at);
                    phases.merge("decide " + type, millis(milestone, at), Double::sum);
                }
                case EVENT_TYPE_ACTIVITY_TASK_STARTED -> {
                    long scheduled =
                            event.getActivityTaskStartedEventAttributes().getScheduledEventId();
                    phases.merge(
                            "wait " + activityTypes.get(scheduled),
                            millis(activityStarts.get(scheduled), at),
                            Double::sum);
                    activityStarts.put(scheduled, at);
                    lastStepStart = at;
                }
                case EVENT_TYPE_ACTIVITY_TASK_COMPLETED -> {
                    long scheduled =
                            event.getActivityTaskCompletedEventAttributes().getScheduledEventId();
                    phases.merge(
                            "run " + activityTypes.get(scheduled),
                            millis(activityStarts.get(scheduled), at),
                            Double::sum);
                    milestone = at;
                }
                case EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED -> milestone = at;
                case EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED ->
                    phases.put("close after last step", millis(milestone, at));
                default -> {}
            }
        }
        phases.put("last step start to job finished_at", millis(lastStepStart, job.finishedAt()));
        return phases;
    }

    private static double millis(Instant from, Instant to) {
        return from == null ? 0 : Duration.between(from, to).toNanos() / 1e6;
    }
}
