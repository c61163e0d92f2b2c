package com.figureforge.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the measured process's Temporal worker did, from its own metrics (Prometheus text on the management
 * port): workflow tasks run, signals sent and heartbeats recorded. Read before and after a scenario, the
 * difference per job says where orchestration work comes from (a signal is a workflow task more).
 */
record WorkerCounts(double workflowTasks, double signals, double heartbeats) {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static WorkerCounts read(int managementPort) {
        String text;
        try {
            text = HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new IllegalStateException("could not read the metrics on port " + managementPort, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new WorkerCounts(
                sum(text, "temporal_workflow_task_execution_latency_seconds_count{", null),
                sum(text, "temporal_request_latency_seconds_count{", "operation=\"SignalWorkflowExecution\""),
                sum(text, "temporal_request_latency_seconds_count{", "operation=\"RecordActivityTaskHeartbeat\""));
    }

    /** Per job, from {@code before} to this reading. */
    Map<String, Object> perJobSince(WorkerCounts before, int jobs) {
        Map<String, Object> perJob = new LinkedHashMap<>();
        perJob.put("workflow_tasks", Latencies.round((workflowTasks - before.workflowTasks) / jobs));
        perJob.put("signals", Latencies.round((signals - before.signals) / jobs));
        perJob.put("heartbeats", Latencies.round((heartbeats - before.heartbeats) / jobs));
        return perJob;
    }

    private static double sum(String text, String series, String label) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(series) && (label == null || line.contains(label))) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
