package com.figureforge.workflows.deletion;

import java.util.Locale;

/** The steps of an account deletion, in the order they run. The wire form is the lower-case name. */
public enum DeletionStep {
    /** Flag the profile as deleting (new work is refused) and write the tombstone (requested). */
    BLOCK_NEW_WORK,
    /** Cancel the user's generation workflows and wait until none is running. */
    CANCEL_JOBS,
    /** Cancel the Stripe subscriptions and delete the Stripe customer. */
    CANCEL_BILLING,
    /** Delete the user's closed workflow executions from Temporal (runs recorded since this step exists). */
    DELETE_WORKFLOW_EXECUTIONS,
    /** Delete every DynamoDB item and S3 object of the user, in passes until one finds nothing. */
    DELETE_DATA,
    /** Delete the Cognito user. */
    DELETE_LOGIN,
    /** Complete the tombstone with the time the deletion finished. */
    WRITE_TOMBSTONE,
    DONE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
