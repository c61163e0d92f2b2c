package com.figureforge.workflows;

import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * The activities' retry policies: exponential backoff from one second, unlimited attempts, stopping
 * only for the failure types that will not change ({@link FailureType#nonRetryable()}), except
 * {@link #UNTIL_DONE}, which never stops.
 */
public final class RetryPolicies {

    /** DynamoDB and S3: outages pass, and giving up would lose work. */
    public static final RetryOptions STORAGE = backingOffTo(Duration.ofMinutes(1));

    /**
     * Account deletion: unlimited attempts (maximum attempts 0), backing off to a few minutes between
     * them, and no {@code doNotRetry}: erasure is a promise to the user, so an outage or even a bug
     * ({@code NON_RETRYABLE}) delays it instead of leaving the account half deleted; a fixed release
     * completes it. Operators see a stuck step in the attempts metric and the Web UI.
     */
    public static final RetryOptions UNTIL_DONE = RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setBackoffCoefficient(2.0)
            .setMaximumInterval(Duration.ofMinutes(5))
            .build();

    private RetryPolicies() {}

    public static RetryOptions backingOffTo(Duration maximumInterval) {
        return RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(maximumInterval)
                .setDoNotRetry(FailureType.nonRetryable())
                .build();
    }
}
