package com.figureforge.activities.worker;

import com.figureforge.workflows.FailureType;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.failure.ApplicationFailure;
import java.time.DateTimeException;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Retry hygiene for every activity of the workers. Temporal retries any exception that is not marked
 * otherwise, and most of our activities retry without limit, so an error that can never succeed (a
 * DynamoDB ValidationException, an item grown past 400 KB, a bug such as a NullPointerException) would
 * be retried forever while the job holds the user's in-flight slot. Such errors get the failure type
 * {@link FailureType#NON_RETRYABLE}, and each workflow's retry policy decides: the policies of
 * {@code RetryPolicies} list it in {@code doNotRetry}, so generation stops at once and ends the job
 * failed and refunded; account deletion retries until done, on purpose (erasure must finish, and a
 * fixed release then completes it). Everything else (throttling, 5xx, I/O,
 * {@code IllegalStateException}s that report a partial S3 delete) keeps its plain retryable type.
 *
 * <p>Attempts above {@link #ATTEMPTS_WORTH_A_LOOK} are counted in
 * {@value #HIGH_ATTEMPTS_METRIC} (tagged with the activity type): a step retried that often is
 * stuck on something an operator should see.
 */
@Component
public class NonRetryableErrorInterceptor extends WorkerInterceptorBase {

    static final String HIGH_ATTEMPTS_METRIC = "figureforge_activity_attempts_over_threshold";
    static final int ATTEMPTS_WORTH_A_LOOK = 10;

    /** AWS error codes that describe the request itself: the same request gets the same answer. */
    private static final Set<String> DETERMINISTIC_AWS_ERRORS = Set.of(
            "ValidationException",
            "ItemCollectionSizeLimitExceededException",
            "SerializationException",
            "InvalidArgument",
            "InvalidRequest",
            "EntityTooLarge",
            "KeyTooLongError",
            "MalformedXML");

    @Override
    public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
        return new ActivityInboundCallsInterceptorBase(next) {
            private ActivityExecutionContext context;

            @Override
            public void init(ActivityExecutionContext context) {
                this.context = context;
                super.init(context);
            }

            @Override
            public ActivityOutput execute(ActivityInput input) {
                ActivityInfo info = context.getInfo();
                if (info.getAttempt() > ATTEMPTS_WORTH_A_LOOK) {
                    context.getMetricsScope()
                            .tagged(Map.of("activity_type", info.getActivityType()))
                            .counter(HIGH_ATTEMPTS_METRIC)
                            .inc(1);
                }
                try {
                    return super.execute(input);
                } catch (RuntimeException e) {
                    if (e instanceof ApplicationFailure || !cannotSucceedOnRetry(e)) {
                        throw e;
                    }
                    throw ApplicationFailure.newFailureWithCause(
                            e.getClass().getSimpleName() + ": " + e.getMessage(), FailureType.NON_RETRYABLE.name(), e);
                }
            }
        };
    }

    static boolean cannotSucceedOnRetry(Throwable e) {
        if (e instanceof AwsServiceException aws) {
            if (aws.isThrottlingException() || aws.retryable() || aws.awsErrorDetails() == null) {
                return false;
            }
            return aws.statusCode() == 400
                    && DETERMINISTIC_AWS_ERRORS.contains(aws.awsErrorDetails().errorCode());
        }
        return e instanceof IllegalArgumentException
                || e instanceof NullPointerException
                || e instanceof ClassCastException
                || e instanceof IndexOutOfBoundsException
                || e instanceof UnsupportedOperationException
                || e instanceof ArithmeticException
                || e instanceof DateTimeException;
    }
}
