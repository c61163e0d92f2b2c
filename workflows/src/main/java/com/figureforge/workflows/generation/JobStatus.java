package com.figureforge.workflows.generation;

/** A generation job's lifecycle. The wire form (API, DynamoDB, search attribute) is the lower-case name. */
public enum JobStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static JobStatus fromWire(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELED;
    }
}
