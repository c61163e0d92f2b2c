package com.figureforge.adapters.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.ApiException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;

/**
 * A Stripe call that failed. {@link #retryable()} tells a passing failure (network, 5xx, 429, an
 * idempotency key in use by a concurrent request) from an answer that will not change (bad key, bad
 * request, missing permission, a key reused with other parameters).
 */
public class StripeGatewayException extends RuntimeException {

    private final boolean retryable;
    private final Integer statusCode;
    private final String code;

    public StripeGatewayException(String message, boolean retryable, Integer statusCode, String code, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.statusCode = statusCode;
        this.code = code;
    }

    static StripeGatewayException from(String what, StripeException e) {
        // The SDK reports 0 when no answer came at all (connection refused, timeout).
        Integer status = e.getStatusCode() == null || e.getStatusCode() == 0 ? null : e.getStatusCode();
        boolean retryable = !(e instanceof IdempotencyException)
                && (e instanceof ApiConnectionException
                        || e instanceof RateLimitException
                        || e instanceof ApiException
                        || status == null
                        || status == 409
                        || status == 429
                        || status >= 500);
        String message = what + " failed" + (status == null ? "" : " (HTTP " + status + ")") + ": " + e.getMessage();
        return new StripeGatewayException(message, retryable, status, e.getCode(), e);
    }

    public boolean retryable() {
        return retryable;
    }

    /** Stripe's HTTP status, null when no answer came (network). */
    public Integer statusCode() {
        return statusCode;
    }

    /** Stripe's error code, e.g. {@code resource_missing}, if any. */
    public String code() {
        return code;
    }
}
