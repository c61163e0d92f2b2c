package com.figureforge.workflows.deletion;

/** What happened to the user's Cognito login. */
public enum LoginDeletion {
    /** AdminDeleteUser deleted it. */
    DELETED,
    /** Cognito had no such user (deleted before, by an earlier attempt or an administrator). */
    NOT_FOUND,
    /** No user pool is configured (local stack): there is no login to delete. */
    SKIPPED
}
