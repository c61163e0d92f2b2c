package com.figureforge.bench;

import java.util.Map;

/** The run's figures as a table, each next to the target. */
final class BenchReport {

    private BenchReport() {}

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> report) {
        StringBuilder out = new StringBuilder();
        Map<String, Object> machine = (Map<String, Object>) report.get("machine");
        out.append("\nFigureForge benchmark, ")
                .append(machine.get("cpus"))
                .append(" CPUs (")
                .append(machine.get("cpu_model"))
                .append("), load average at start ")
                .append(machine.get("load_average_at_start"))
                .append("; fal completion by ")
                .append(report.get("fal_completion"))
                .append('\n');
        row(out, "measurement", "FigureForge", "direct / ideal", "target");
        Map<String, Object> latency = section(report, "job_latency");
        latency.forEach((fal, value) -> {
            if (fal.equals("warm_up")) {
                var warmUp = (Map<String, Object>) value;
                row(
                        out,
                        "first jobs after start-up",
                        warmUp.get("figureforge_ms_in_order") + " ms",
                        warmUp.get("direct_ms_in_order") + " ms",
                        "(warm-up, fal " + warmUp.get("fal_latency_ms") + " ms)");
                return;
            }
            var sides = (Map<String, Map<String, Object>>) value;
            var ff = sides.get("figureforge");
            var direct = sides.get("direct");
            row(
                    out,
                    "job latency, fal " + fal,
                    percentiles(ff, "p50_ms", "p90_ms", "p99_ms"),
                    percentiles(direct, "p50_ms", "p90_ms", "p99_ms"),
                    "p50 +" + diff(ff, direct, "p50_ms") + " (<=150), p99 +" + diff(ff, direct, "p99_ms") + " (<=400)");
            var phases = sides.get("figureforge_phases_median_ms");
            if (phases != null) {
                phases.forEach((phase, millis) -> row(out, "", "  " + millis + " ms " + phase, "", ""));
            }
            worker(out, sides.get("worker_per_job"));
        });
        Map<String, Object> bursts = section(report, "bursts");
        bursts.forEach((n, value) -> {
            var burst = (Map<String, Object>) value;
            row(
                    out,
                    "burst of " + n + " jobs",
                    burst.get("seconds") + " s, " + burst.get("jobs_per_second") + " jobs/s",
                    burst.get("direct_seconds") + " s, " + burst.get("direct_jobs_per_second") + " jobs/s; ideal "
                            + burst.get("ideal_jobs_per_second"),
                    burst.get("share_of_ideal") + " of ideal (>=0.9)");
            row(
                    out,
                    "  against ceil(N/C) rounds of L",
                    burst.get("share_of_achievable") + " of " + burst.get("achievable_seconds") + " s",
                    "",
                    "");
            row(out, "  CPU per job", burst.get("cpu_ms_per_job") + " ms", "", "<=15 ms");
            row(out, "  peak RSS", burst.get("peak_rss_mib") + " MiB", "", "<=400 MiB");
            worker(out, (Map<String, Object>) burst.get("worker_per_job"));
        });
        Map<String, Object> generate = section(report, "generate");
        generate.forEach((rate, value) -> {
            var summary = (Map<String, Object>) value;
            row(
                    out,
                    "POST generate at " + rate.replace("_per_second", "/s"),
                    percentiles(summary, "p50_ms", "p99_ms") + " (" + summary.get("refused") + " refused)",
                    summary.get("cpu_ms_per_request") + " ms CPU per request",
                    "p99 <=50 ms at 50/s");
        });
        Map<String, Object> apiRole = section(report, "generate_api_role");
        apiRole.forEach((rate, value) -> {
            if (value instanceof Map<?, ?> summary) {
                row(
                        out,
                        "  api role alone, " + rate.replace("_per_second", "/s"),
                        percentiles((Map<String, Object>) summary, "p50_ms", "p99_ms") + " (" + summary.get("refused")
                                + " refused)",
                        summary.get("cpu_ms_per_request") + " ms CPU per request",
                        "");
            }
        });
        Map<String, Object> reads = section(report, "reads");
        reads.forEach((size, value) -> {
            var pages = (Map<String, Map<String, Object>>) value;
            row(out, "gallery, " + size + " images", percentiles(pages.get("gallery"), "p50_ms", "p99_ms"), "", "");
            row(
                    out,
                    "user images, " + size + " images",
                    percentiles(pages.get("user_images"), "p50_ms", "p99_ms"),
                    "",
                    "p99 at most 1.2 x at 1k");
        });
        Map<String, Object> startUp = section(report, "start_up");
        startUp.forEach((how, seconds) ->
                row(out, "start-up, " + how.replaceAll("_s$", "").replace('_', ' '), seconds + " s", "", "<=5 s"));
        return out.toString();
    }

    /** A scenario's figures, empty when {@code -Dbench.only} left it out. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> report, String name) {
        return (Map<String, Object>) report.getOrDefault(name, Map.of());
    }

    private static String percentiles(Map<String, Object> summary, String... keys) {
        StringBuilder text = new StringBuilder();
        for (String key : keys) {
            text.append(text.isEmpty() ? "" : " / ").append(summary.get(key));
        }
        return text + " ms";
    }

    private static String diff(Map<String, Object> ff, Map<String, Object> direct, String key) {
        return Long.toString(
                Math.round(((Number) ff.get(key)).doubleValue() - ((Number) direct.get(key)).doubleValue()));
    }

    private static void row(StringBuilder out, String what, String figureForge, String other, String target) {
        out.append(String.format("%-30s %-32s %-44s %s%n", what, figureForge, other, target));
    }

    /** Workflow tasks, signals and heartbeats per job, from the worker's own metrics. */
    private static void worker(StringBuilder out, Map<String, Object> perJob) {
        if (perJob != null) {
            row(
                    out,
                    "  worker per job",
                    perJob.get("workflow_tasks") + " workflow tasks, " + perJob.get("signals") + " signals, "
                            + perJob.get("heartbeats") + " heartbeats",
                    "",
                    "");
        }
    }
}
