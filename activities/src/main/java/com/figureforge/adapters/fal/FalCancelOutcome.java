package com.figureforge.adapters.fal;

/** fal's answer to a cancel; none of them is an error. */
public enum FalCancelOutcome {
    /** 202 {@code CANCELLATION_REQUESTED}: a queued request was removed, a running one was signalled. */
    CANCELLATION_REQUESTED,
    /** 400 {@code ALREADY_COMPLETED}: nothing left to cancel. */
    ALREADY_COMPLETED,
    /** 404: fal does not know the request (expired or never made). */
    NOT_FOUND;

    /** True when fal accepted the cancellation. */
    public boolean canceled() {
        return this == CANCELLATION_REQUESTED;
    }
}
