package com.figureforge.workflows;

/** Readable workflow ids, so operators can find a run in the Web UI from a job or user id. */
public final class WorkflowIds {

    private WorkflowIds() {}

    public static String imageGeneration(String jobId) {
        return "image-generation/" + jobId;
    }

    public static String subscription(String userId) {
        return "subscription/" + userId;
    }

    public static String accountDeletion(String userId) {
        return "account-deletion/" + userId;
    }
}
