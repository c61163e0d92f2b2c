package com.figureforge.activities.fal;

/**
 * A request's state in the fal queue.
 *
 * @param status {@code IN_QUEUE}, {@code IN_PROGRESS} or {@code COMPLETED} (passed through as fal sends it)
 * @param queuePosition position while queued, else null
 */
public record FalStatus(String status, Integer queuePosition) {

    public static final String IN_QUEUE = "IN_QUEUE";
    public static final String IN_PROGRESS = "IN_PROGRESS";
    public static final String COMPLETED = "COMPLETED";

    public boolean completed() {
        return COMPLETED.equals(status);
    }
}
