package com.figureforge.workflows.generation;

import java.util.Locale;

/** A generation job's lifecycle. The wire form (API, DynamoDB, search attribute) is the lower-case name. */
public enum JobStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELED;
    }
}
