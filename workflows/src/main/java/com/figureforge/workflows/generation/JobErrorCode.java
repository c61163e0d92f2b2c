package com.figureforge.workflows.generation;

import com.figureforge.workflows.FailureChain;
import com.figureforge.workflows.FailureType;
import io.temporal.failure.TimeoutFailure;

/** Stable codes for a failed or canceled job's {@code error.code}, as clients see them. */
public final class JobErrorCode {

    /** fal.ai refused the request (validation or content policy). */
    public static final String CONTENT_POLICY = "content_policy";
    /** Every image was blocked by the safety checker. */
    public static final String IMAGES_BLOCKED = "images_blocked";
    /** fal.ai accepted the request and then failed it, or kept failing. */
    public static final String GENERATION_FAILED = "generation_failed";
    /** The request did not finish before the job's deadline. */
    public static final String TIMEOUT = "timeout";
    /** An image came back in a form we do not accept (type, size). */
    public static final String IMAGE_REJECTED = "image_rejected";
    /** The owner canceled the job. */
    public static final String CANCELED = "canceled";

    /** The code of a job that failed with {@code failure}, whose application failure type is {@code type}. */
    static String forFailure(String type, Throwable failure) {
        if (JobErrorCode.TIMEOUT.equals(type)
                || (type == null && FailureChain.contains(failure, TimeoutFailure.class))) {
            return JobErrorCode.TIMEOUT;
        }
        if (FailureType.FAL_INPUT_REJECTED.name().equals(type)) {
            return JobErrorCode.CONTENT_POLICY;
        }
        if (FailureType.IMAGE_REJECTED.name().equals(type)) {
            return JobErrorCode.IMAGE_REJECTED;
        }
        return JobErrorCode.GENERATION_FAILED;
    }

    private JobErrorCode() {}
}
