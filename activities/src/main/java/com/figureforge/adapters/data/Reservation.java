package com.figureforge.adapters.data;

/** Outcome of {@link QuotaLedger#reserve}. */
public enum Reservation {
    /** This call charged the images and took an in-flight slot. */
    RESERVED,
    /** The job was charged before (a retry): nothing charged now, the job may proceed. */
    ALREADY_RESERVED,
    /** Not enough images left in the period (API: 402 {@code quota_exceeded}); nothing held. */
    QUOTA_EXCEEDED,
    /** The user already has the maximum number of jobs in flight (API: 429 {@code too_many_jobs}). */
    TOO_MANY_JOBS;

    /** Whether the job may run. */
    public boolean accepted() {
        return this == RESERVED || this == ALREADY_RESERVED;
    }
}
