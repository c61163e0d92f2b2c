package com.figureforge.workflows.generation;

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

    private JobErrorCode() {}
}
