package com.figureforge.workflows;

import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * The activities' retry policies: exponential backoff from one second, unlimited attempts, stopping
 * only for the failure types that will not change ({@link FailureType#nonRetryable()}).
 */
public final class RetryPolicies {

    /** DynamoDB and S3: outages pass, and giving up would lose work. */
    public static final RetryOptions STORAGE = backingOffTo(Duration.ofMinutes(1));

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
