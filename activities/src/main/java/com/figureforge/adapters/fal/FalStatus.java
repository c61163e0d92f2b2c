package com.figureforge.adapters.fal;

/**
 * A request's state in the fal queue.
 *
 * @param status {@code IN_QUEUE}, {@code IN_PROGRESS} or {@code COMPLETED} (passed through as fal sends it)
 * @param queuePosition position while queued, else null
 * @param errorType fal's {@code error_type} of a request that completed in error, else null
 */
public record FalStatus(String status, Integer queuePosition, String errorType) {

    public FalStatus(String status, Integer queuePosition) {
        this(status, queuePosition, null);
    }

    public static final String IN_QUEUE = "IN_QUEUE";
    public static final String IN_PROGRESS = "IN_PROGRESS";
    public static final String COMPLETED = "COMPLETED";

    public boolean completed() {
        return COMPLETED.equals(status);
    }

    /**
     * Whether fal started the work, which it bills: running, or completed without an error. A request
     * removed from the queue ({@code client_cancelled}) or failed on fal's runner is not billed.
     */
    public boolean workStarted() {
        return IN_PROGRESS.equals(status) || (completed() && errorType == null);
    }
}
