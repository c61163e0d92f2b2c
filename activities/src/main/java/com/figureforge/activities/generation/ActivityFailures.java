package com.figureforge.activities.generation;

import com.figureforge.workflows.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;

/**
 * Builds the {@link ApplicationFailure}s our activities throw: the type is the {@link FailureType} name, and
 * non-retryable types are marked so, in addition to the workflows' {@code doNotRetry} lists.
 */
public final class ActivityFailures {

    private ActivityFailures() {}

    public static ApplicationFailure of(FailureType type, String message, Throwable cause) {
        return of(type, message, cause, null);
    }

    /** With {@code retryAfter} (retryable types only), Temporal waits that long before the next attempt. */
    public static ApplicationFailure of(FailureType type, String message, Throwable cause, Duration retryAfter) {
        if (!type.retryable()) {
            return ApplicationFailure.newNonRetryableFailureWithCause(message, type.name(), cause);
        }
        if (retryAfter != null && retryAfter.isPositive()) {
            return ApplicationFailure.newFailureWithCauseAndDelay(message, type.name(), cause, retryAfter);
        }
        return ApplicationFailure.newFailureWithCause(message, type.name(), cause);
    }

    public static ApplicationFailure jobNotFound(String jobId) {
        return of(FailureType.JOB_NOT_FOUND, "job " + jobId + " does not exist (deleted?)", null);
    }
}
