package com.figureforge.app.config;

import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Stops the worker factory in order on shutdown: no new polls, then waits up to the drain timeout for
 * the tasks already running, and only then lets the context go on to close the gRPC stubs.
 *
 * <p>Why: the starter's own destroy method ({@code WorkerFactory.shutdown()}) returns at once, and the
 * stubs close right after it, so an activity running at SIGTERM could not report its result and
 * Temporal retried it on another worker after its timeout. Draining lets it finish and report once.
 * The highest phase stops first, before the web server and everything the activities use.
 */
class WorkerDrain implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerDrain.class);

    private final ObjectProvider<WorkerFactory> workerFactory;
    private final Duration drainTimeout;
    private volatile boolean running;

    WorkerDrain(ObjectProvider<WorkerFactory> workerFactory, Duration drainTimeout) {
        this.workerFactory = workerFactory;
        this.drainTimeout = drainTimeout;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        WorkerFactory factory = workerFactory.getIfAvailable();
        // The api role has a factory that never started: nothing polls, nothing to drain.
        if (factory == null || !factory.isStarted() || factory.isTerminated()) {
            return;
        }
        log.info("Stopping the Temporal workers: no new tasks; waiting up to {} for running ones", drainTimeout);
        long started = System.nanoTime();
        factory.shutdown();
        factory.awaitTermination(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (factory.isTerminated()) {
            log.info(
                    "Temporal workers drained in {} ms",
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
        } else {
            // What is still running is interrupted; Temporal retries it elsewhere (every activity is idempotent).
            log.warn("Temporal workers still busy after {}: interrupting what is left", drainTimeout);
            factory.shutdownNow();
            factory.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    // A shut-down WorkerFactory cannot start again, so a context pause (Spring 7 pauses cached test
    // contexts on a switch) must not drain it: only a real close does.
    @Override
    public boolean isPauseable() {
        return false;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
