package com.figureforge.workflows;

/**
 * Task-queue names, shared by the clients that start work and the workers that run it.
 *
 * <p>Workflows run on one queue; fal.ai activities on their own queue whose worker caps concurrency
 * and rate at what the fal account allows, so a burst of jobs waits in Temporal instead of hammering
 * fal; storage (S3, DynamoDB) and billing activities on a third. Following a fal request to its end
 * (a long, mostly idle status stream) runs on a fourth, so waiting never takes a slot from fal calls.
 */
public final class TaskQueues {

    public static final String WORKFLOWS = "figureforge-workflows";
    public static final String FAL = "figureforge-fal";
    public static final String STORAGE = "figureforge-storage";
    public static final String FAL_EVENTS = "figureforge-fal-events";

    private TaskQueues() {}
}
