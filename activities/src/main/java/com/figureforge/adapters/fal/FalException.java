package com.figureforge.adapters.fal;

import com.figureforge.workflows.FailureType;
import java.time.Duration;

/**
 * A failed call to fal.ai (queue API or image CDN), classified by the {@link FailureType} the activity
 * reports to the workflow.
 */
public class FalException extends RuntimeException {

    private final FailureType type;
    private final int httpStatus;
    private final boolean contentPolicy;
    private final String falErrorType;
    private final Duration retryAfter;

    public FalException(
            FailureType type,
            String message,
            int httpStatus,
            boolean contentPolicy,
            String falErrorType,
            Duration retryAfter,
            Throwable cause) {
        super(message, cause);
        this.type = type;
        this.httpStatus = httpStatus;
        this.contentPolicy = contentPolicy;
        this.falErrorType = falErrorType;
        this.retryAfter = retryAfter;
    }

    public FalException(FailureType type, String message, int httpStatus, Throwable cause) {
        this(type, message, httpStatus, false, null, null, cause);
    }

    public FalException(FailureType type, String message, Throwable cause) {
        this(type, message, 0, cause);
    }

    public FailureType type() {
        return type;
    }

    /** The HTTP status fal answered with; 0 when there was no answer (I/O error, timeout). */
    public int httpStatus() {
        return httpStatus;
    }

    /** True when fal said the input broke its content policy ({@code content_policy_violation}). */
    public boolean contentPolicy() {
        return contentPolicy;
    }

    /** fal's machine-readable {@code error_type} ({@code X-Fal-Error-Type}), if it sent one. */
    public String falErrorType() {
        return falErrorType;
    }

    /** How long fal asked us to wait ({@code Retry-After} on 429/503), if it said; null otherwise. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
