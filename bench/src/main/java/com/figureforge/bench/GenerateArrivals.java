package com.figureforge.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * {@code POST /api/images/generate/} at fixed arrival rates, open loop: each request leaves on its
 * schedule whatever the answers before it, so a slow server shows up as latency instead of a slower
 * load generator. Each request is a new signed-in user's first job (no per-user limit in the way).
 */
final class GenerateArrivals {

    private GenerateArrivals() {}

    /**
     * For each rate: p50/p99 of the accepted requests, how many were refused, and the measured
     * process's CPU per request (everything it did meanwhile, its workers' jobs too when it runs them).
     */
    static Map<String, Object> measure(
            BenchSettings settings, FigureForgeProcess app, BenchClient client, IntFunction<List<String>> newUsers) {
        Map<String, Object> results = new LinkedHashMap<>();
        for (int rate : settings.arrivalRates()) {
            int total = (int) (rate * settings.arrivalSeconds().toSeconds());
            List<String> tokens = newUsers.apply(total);
            long cpuBefore = app.cpuMillis();
            Map<String, Object> summary = new LinkedHashMap<>(openLoop(client, tokens, rate));
            summary.put("cpu_ms_per_request", Latencies.round((double) (app.cpuMillis() - cpuBefore) / total));
            results.put(rate + "_per_second", summary);
        }
        return results;
    }

    /**
     * The first rate once with its figures dropped; returns how many requests that was. A freshly
     * started process answers its first requests from the interpreter, where the both-roles process
     * has served every scenario before this one.
     */
    static int warmUp(BenchSettings settings, BenchClient client, IntFunction<List<String>> newUsers) {
        int rate = settings.arrivalRates().getFirst();
        List<String> tokens =
                newUsers.apply((int) (rate * settings.arrivalSeconds().toSeconds()));
        openLoop(client, tokens, rate);
        return tokens.size();
    }

    private static Map<String, Object> openLoop(BenchClient client, List<String> tokens, int rate) {
        Latencies accepted = new Latencies();
        AtomicInteger refused = new AtomicInteger();
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        List<Thread> requests = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            long wait = start + i * intervalNanos - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String token = tokens.get(i);
            requests.add(Thread.ofVirtual().start(() -> {
                BenchClient.Timed answer = client.generate(token);
                if (answer.status() == 202) {
                    accepted.addNanos(answer.nanos());
                } else {
                    refused.incrementAndGet();
                }
            }));
        }
        for (Thread request : requests) {
            try {
                request.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>(accepted.summary());
        summary.put("refused", refused.get());
        return summary;
    }
}
