package com.figureforge.app.web;

import java.util.Locale;
import org.springframework.http.HttpStatus;

/** Stable, machine-readable error codes: the {@code code} member of every problem response. */
public enum ErrorCode {
    UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "Authentication required"),
    REAUTHENTICATION_REQUIRED(HttpStatus.UNAUTHORIZED, "Recent sign-in required"),
    FORBIDDEN(HttpStatus.FORBIDDEN, "Forbidden"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "Not found"),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
    MALFORMED_JSON(HttpStatus.BAD_REQUEST, "Malformed JSON"),
    UNKNOWN_FIELD(HttpStatus.BAD_REQUEST, "Unknown field"),
    VALIDATION_FAILED(HttpStatus.BAD_REQUEST, "Validation failed"),
    INVALID_CURSOR(HttpStatus.BAD_REQUEST, "Invalid cursor"),
    BAD_REQUEST(HttpStatus.BAD_REQUEST, "Bad request"),
    PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "Request body too large"),
    QUOTA_EXCEEDED(HttpStatus.PAYMENT_REQUIRED, "Monthly quota exceeded"),
    TOO_MANY_JOBS(HttpStatus.TOO_MANY_REQUESTS, "Too many jobs in flight"),
    RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "Rate limit reached"),
    JOB_NOT_FOUND(HttpStatus.NOT_FOUND, "Job not found"),
    VARIATION_SET_NOT_FOUND(HttpStatus.NOT_FOUND, "Variation set not found"),
    INVALID_VARIATION_SET(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid variation set"),
    JOB_ALREADY_FINISHED(HttpStatus.CONFLICT, "Job already finished"),
    IMAGE_NOT_FOUND(HttpStatus.NOT_FOUND, "Image not found"),
    CANNOT_REPORT_OWN_IMAGE(HttpStatus.UNPROCESSABLE_CONTENT, "Cannot report your own image"),
    IMAGE_NOT_UNDER_REVIEW(HttpStatus.CONFLICT, "Image not under review"),
    ACCOUNT_DELETING(HttpStatus.CONFLICT, "Account is being deleted"),
    ACCOUNT_DELETED(HttpStatus.GONE, "Account deleted"),
    BILLING_NOT_CONFIGURED(HttpStatus.SERVICE_UNAVAILABLE, "Billing not configured"),
    INVALID_SIGNATURE(HttpStatus.BAD_REQUEST, "Invalid webhook signature"),
    WEBHOOK_SIGNATURE_INVALID(HttpStatus.UNAUTHORIZED, "Webhook signature missing or invalid"),
    WEBHOOK_STALE(HttpStatus.BAD_REQUEST, "Webhook timestamp outside the accepted window"),
    ALREADY_ON_PLAN(HttpStatus.CONFLICT, "Already on this plan"),
    ALREADY_SUBSCRIBED(HttpStatus.CONFLICT, "Already subscribed"),
    NO_BILLING_ACCOUNT(HttpStatus.CONFLICT, "No billing account"),
    IDEMPOTENCY_KEY_IN_PROGRESS(HttpStatus.CONFLICT, "Idempotency key in progress"),
    IDEMPOTENCY_KEY_REUSED(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused"),
    PROMPT_NOT_ALLOWED(HttpStatus.UNPROCESSABLE_CONTENT, "Prompt not allowed"),
    NO_SUBSCRIPTION(HttpStatus.CONFLICT, "No live subscription"),
    CHECKOUT_SESSION_NOT_FOUND(HttpStatus.NOT_FOUND, "Checkout session not found"),
    CHECKOUT_NOT_COMPLETE(HttpStatus.CONFLICT, "Checkout not complete"),
    INTERNAL_ERROR(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error"),
    SERVICE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable");

    private final HttpStatus status;
    private final String title;

    ErrorCode(HttpStatus status, String title) {
        this.status = status;
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The wire form, e.g. {@code quota_exceeded}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The problem {@code type} URI; stable, documented in docs/errors.md. */
    public String type() {
        return "https://figureforge.app/problems/" + code().replace('_', '-');
    }

    public static ErrorCode forStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 503 -> SERVICE_UNAVAILABLE;
            default -> status >= 500 ? INTERNAL_ERROR : BAD_REQUEST;
        };
    }
}
