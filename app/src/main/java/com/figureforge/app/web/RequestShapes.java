package com.figureforge.app.web;

import com.figureforge.app.web.ApiException.FieldError;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Shape checks for ids, cursors and other values a client puts in a path, query or body, run before any
 * store or Stripe call: a value no id of ours can have is answered at once (the route's not-found code, so
 * a malformed id reads like an unknown one) instead of reaching DynamoDB, whose key limits would turn it
 * into a 500.
 */
public final class RequestShapes {

    /** Job ids are lowercase UUIDv7 strings (JobIds). */
    private static final Pattern JOB_ID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    /** Image ids are a job id, a dash and the image's index in the job (JobStoreActivitiesImpl.imageId). */
    private static final Pattern IMAGE_ID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-[0-9]{1,3}");

    /** Paging cursors are URL-safe Base64 without padding (adapters/data/Cursors), at most 1024 characters. */
    private static final Pattern CURSOR = Pattern.compile("[A-Za-z0-9_-]{1,1024}");

    /** Stripe Checkout Session ids: {@code cs_} then letters, digits and underscores. */
    private static final Pattern CHECKOUT_SESSION_ID = Pattern.compile("cs_[A-Za-z0-9_]{1,250}");

    private RequestShapes() {}

    /** The job id, or 404 {@code job_not_found} when it cannot be one. */
    public static String jobId(String jobId) {
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            throw new ApiException(ErrorCode.JOB_NOT_FOUND, "No such job.");
        }
        return jobId;
    }

    /** The variation set id (a UUIDv7 like a job id), or 404 {@code variation_set_not_found}. */
    public static String variationSetId(String setId) {
        if (setId == null || !JOB_ID.matcher(setId).matches()) {
            throw new ApiException(ErrorCode.VARIATION_SET_NOT_FOUND, "No such variation set.");
        }
        return setId;
    }

    /** The image id, or 404 {@code image_not_found} when it cannot be one. */
    public static String imageId(String imageId) {
        if (imageId == null || !IMAGE_ID.matcher(imageId).matches()) {
            throw new ApiException(ErrorCode.IMAGE_NOT_FOUND, "No such image.");
        }
        return imageId;
    }

    /** The cursor ({@code null} for the first page), or 400 {@code invalid_cursor} when it cannot be one. */
    public static String cursor(String cursor) {
        if (cursor != null && !CURSOR.matcher(cursor).matches()) {
            throw invalidCursor();
        }
        return cursor;
    }

    /** The session id, or 404 {@code checkout_session_not_found} when Stripe cannot have issued it. */
    public static String checkoutSessionId(String sessionId) {
        if (!CHECKOUT_SESSION_ID.matcher(sessionId).matches()) {
            throw new ApiException(ErrorCode.CHECKOUT_SESSION_NOT_FOUND, "No such checkout session.");
        }
        return sessionId;
    }

    public static ApiException invalidCursor() {
        return new ApiException(
                ErrorCode.INVALID_CURSOR,
                "The cursor is not one this API issued.",
                List.of(new FieldError("cursor", "is invalid")));
    }
}
