package com.figureforge.workflows;

import java.util.Arrays;

/**
 * The application failure types our activities raise. The name is the {@code ApplicationFailure}
 * type, and workflows tell retryable from final by it: every type here marked non-retryable is
 * listed in the activities' {@code doNotRetry}, so Temporal stops at once instead of retrying an
 * answer that will not change.
 */
public enum FailureType {
    /** fal.ai refused the input (HTTP 422: validation or content policy). Retrying gives the same answer. */
    FAL_INPUT_REJECTED(false),
    /** fal.ai reported the request itself as failed after accepting it. */
    FAL_REQUEST_FAILED(false),
    /** fal.ai or a network hop failed in a way that may pass (5xx, 429, timeouts). */
    FAL_UNAVAILABLE(true),
    /** The downloaded bytes are not an image we accept (type, size, dimensions). */
    IMAGE_REJECTED(false),
    /** The job record is missing: it was deleted (account deletion) while the workflow ran. */
    JOB_NOT_FOUND(false),
    /** The job ended by another path (a cancel, a failure) while this step ran: nothing more is stored. */
    JOB_FINISHED(false),
    /**
     * An error that no retry can fix (invalid request to a store, an item over its size limit, a bug):
     * retrying would hold the user's in-flight slot forever, so generation fails the job and refunds it.
     * Raised as a retryable failure so that a workflow whose policy has no {@code doNotRetry} (account
     * deletion) keeps trying.
     */
    NON_RETRYABLE(false),
    /** Stripe or the network failed in a way that may pass (5xx, 429, idempotency-key conflict, I/O). */
    STRIPE_UNAVAILABLE(true),
    /** Stripe refused the request (bad parameters, bad API key, missing permission). Retrying gives the same answer. */
    STRIPE_REJECTED(false);

    private final boolean retryable;

    FailureType(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The types Temporal must not retry, for {@code RetryOptions.Builder#setDoNotRetry}. */
    public static String[] nonRetryable() {
        return Arrays.stream(values())
                .filter(type -> !type.retryable)
                .map(Enum::name)
                .toArray(String[]::new);
    }
}
