package com.figureforge.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one run measures. {@code -Dbench.quick=true} is a smoke run of every scenario at small sizes
 * (about 3 minutes); the full run takes about 12 minutes on 2 cores.
 */
record BenchSettings(
        boolean quick,
        List<Integer> storedImages,
        Duration readSeconds,
        int readClients,
        List<Duration> falLatencies,
        int latencyJobs,
        int latencyInFlight,
        int falConcurrency,
        Duration burstFalLatency,
        List<Integer> burstSizes,
        List<Integer> arrivalRates,
        Duration arrivalSeconds,
        int warmUpJobs,
        Set<String> scenarios) {

    /** Every scenario, in the order they run; {@code -Dbench.only=latency,bursts} picks some. */
    static final List<String> SCENARIOS = List.of("reads", "latency", "bursts", "generate", "aot");

    static BenchSettings fromSystemProperties() {
        boolean quick = Boolean.getBoolean("bench.quick");
        List<Duration> latencies = List.of(Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofSeconds(5));
        int concurrency = Integer.getInteger("bench.fal.concurrency", 8);
        boolean aot = Boolean.parseBoolean(System.getProperty("bench.aot", "true"));
        String only = System.getProperty("bench.only", "").strip();
        Set<String> scenarios = new LinkedHashSet<>(only.isEmpty() ? SCENARIOS : List.of(only.split("\\s*,\\s*")));
        if (!SCENARIOS.containsAll(scenarios)) {
            throw new IllegalArgumentException("bench.only names " + scenarios + "; known: " + SCENARIOS);
        }
        if (!aot) {
            scenarios.remove("aot");
        }
        if (quick) {
            return new BenchSettings(
                    true,
                    List.of(1_000, 3_000),
                    Duration.ofSeconds(4),
                    4,
                    latencies,
                    6,
                    3,
                    concurrency,
                    Duration.ofSeconds(2),
                    List.of(10, 30),
                    List.of(20, 50),
                    Duration.ofSeconds(3),
                    3,
                    scenarios);
        }
        return new BenchSettings(
                false,
                List.of(1_000, 10_000, 100_000),
                Duration.ofSeconds(15),
                8,
                latencies,
                30,
                4,
                concurrency,
                Duration.ofSeconds(2),
                List.of(50, 200),
                List.of(20, 50),
                Duration.ofSeconds(15),
                8,
                scenarios);
    }

    /** The ideal rate of a burst, C/L: fal admits C requests at a time, each taking L. */
    double idealJobsPerSecond() {
        return falConcurrency / (burstFalLatency.toMillis() / 1000.0);
    }

    /**
     * The least time any client needs for a burst of n jobs: C/L assumes a continuous flow, but fal runs C
     * at a time for L each, so n jobs take ceil(n/C) rounds of L (50 jobs at C = 8: 7 rounds, 0.89 of C/L).
     */
    double leastBurstSeconds(int n) {
        return Math.ceil((double) n / falConcurrency) * burstFalLatency.toMillis() / 1000.0;
    }

    Map<String, Object> describe() {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("quick", quick);
        described.put("stored_images", storedImages);
        described.put("read_seconds", readSeconds.toSeconds());
        described.put("read_clients", readClients);
        described.put(
                "fal_latencies_ms",
                falLatencies.stream().map(Duration::toMillis).toList());
        described.put("latency_jobs", latencyJobs);
        described.put("latency_in_flight", latencyInFlight);
        described.put("fal_concurrency", falConcurrency);
        described.put("burst_fal_latency_ms", burstFalLatency.toMillis());
        described.put("burst_sizes", burstSizes);
        described.put("arrival_rates_per_second", arrivalRates);
        described.put("arrival_seconds", arrivalSeconds.toSeconds());
        described.put("warm_up_jobs", warmUpJobs);
        described.put("scenarios", List.copyOf(scenarios));
        return described;
    }
}
