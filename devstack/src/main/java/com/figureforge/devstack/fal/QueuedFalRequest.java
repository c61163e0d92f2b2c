package com.figureforge.devstack.fal;

import java.time.Duration;
import java.time.Instant;

/**
 * One request in the emulated fal queue. Its phase is computed from wall-clock timestamps
 * (submitted + queue time, + run time), so nothing needs a background thread to move it along.
 */
final class QueuedFalRequest {

    enum Phase {
        IN_QUEUE,
        IN_PROGRESS,
        COMPLETED
    }

    /** How the run ends, decided at submit time from the faults then in force. */
    enum Ending {
        SUCCESS,
        RUNNER_ERROR,
        NEVER
    }

    enum CancelOutcome {
        REMOVED_FROM_QUEUE,
        SIGNALLED_RUNNER,
        ALREADY_COMPLETED
    }

    final String id;
    final long sequence;
    final String modelId;
    final String appPath;
    final FluxInput input;
    final long seed;
    final MannequinPose pose;
    final boolean nsfwPrompt;
    final Instant submittedAt;
    final Duration queueTime;
    final Duration runTime;
    final Ending ending;

    private Instant canceledAt;

    QueuedFalRequest(
            String id,
            long sequence,
            String modelId,
            FluxInput input,
            long seed,
            boolean nsfwPrompt,
            Instant submittedAt,
            Duration queueTime,
            Duration runTime,
            Ending ending) {
        this.id = id;
        this.sequence = sequence;
        this.modelId = modelId;
        this.appPath = appPathOf(modelId);
        this.input = input;
        this.seed = seed;
        this.pose = MannequinPose.fromPrompt(input.prompt());
        this.nsfwPrompt = nsfwPrompt;
        this.submittedAt = submittedAt;
        this.queueTime = queueTime;
        this.runTime = runTime;
        this.ending = ending;
    }

    /**
     * fal's request URLs carry only the owner and app of the model id: {@code fal-ai/flux/dev} is
     * submitted there, but followed under {@code fal-ai/flux/requests/...}.
     */
    static String appPathOf(String modelId) {
        String[] segments = modelId.split("/");
        return segments.length <= 2 ? modelId : segments[0] + "/" + segments[1];
    }

    synchronized Phase phase(Instant now) {
        if (canceledAt != null) {
            return Phase.COMPLETED;
        }
        Instant started = submittedAt.plus(queueTime);
        if (now.isBefore(started)) {
            return Phase.IN_QUEUE;
        }
        if (ending == Ending.NEVER || now.isBefore(started.plus(runTime))) {
            return Phase.IN_PROGRESS;
        }
        return Phase.COMPLETED;
    }

    /** When the phase next changes on its own; null when it will not (finished, canceled, never ending). */
    synchronized Instant nextChange(Instant now) {
        if (canceledAt != null) {
            return null;
        }
        Instant started = submittedAt.plus(queueTime);
        if (now.isBefore(started)) {
            return started;
        }
        Instant done = started.plus(runTime);
        return ending == Ending.NEVER || !now.isBefore(done) ? null : done;
    }

    /** Canceled while still queued: removed, never run. */
    synchronized boolean wasRemovedFromQueue() {
        return canceledAt != null;
    }

    /** Completed without images: canceled in the queue or failed on the runner. */
    synchronized boolean endedInError() {
        return canceledAt != null || ending == Ending.RUNNER_ERROR;
    }

    synchronized CancelOutcome cancel(Instant now) {
        return switch (phase(now)) {
            case IN_QUEUE -> {
                canceledAt = now;
                yield CancelOutcome.REMOVED_FROM_QUEUE;
            }
            // fal signals the runner and the model decides; the emulated model finishes its work.
            case IN_PROGRESS -> CancelOutcome.SIGNALLED_RUNNER;
            case COMPLETED -> CancelOutcome.ALREADY_COMPLETED;
        };
    }

    boolean imageFlaggedNsfw() {
        return nsfwPrompt && input.enableSafetyChecker();
    }

    /**
     * Image {@code index} (0-based), rendered on each download: rendering is deterministic and
     * quick, and keeping the bytes would grow the heap of a long local run without bound.
     */
    byte[] image(int index) {
        return MannequinRenderer.render(
                input.width(), input.height(), pose, seed + index, imageFlaggedNsfw(), input.outputFormat());
    }
}
