package com.figureforge.adapters;

import java.util.function.Supplier;

/**
 * A blocking call started on a virtual thread of its own, so that two round trips that do not depend on
 * each other (a DynamoDB read and an S3 write, say) take the time of the slower one. {@link #join()}
 * rethrows the call's own exception, so callers keep their failure types (ApplicationFailure included).
 */
public final class Forked<T> {

    private final Thread thread;
    private T value;
    private RuntimeException failure;
    private Error error;

    private Forked(Supplier<T> call) {
        this.thread = Thread.ofVirtual().name("forked-call").start(() -> {
            try {
                value = call.get();
            } catch (RuntimeException e) {
                failure = e;
            } catch (Error e) {
                error = e;
            }
        });
    }

    public static <T> Forked<T> start(Supplier<T> call) {
        return new Forked<>(call);
    }

    /** Runs both and returns when both ended; the first one's failure wins over the second's. */
    public static void both(Runnable first, Runnable second) {
        Forked<Void> forked = start(() -> {
            first.run();
            return null;
        });
        RuntimeException own = null;
        try {
            second.run();
        } catch (RuntimeException e) {
            own = e;
        }
        forked.join();
        if (own != null) {
            throw own;
        }
    }

    /** Waits for the call (the thread's end publishes its result) and returns it or rethrows its failure. */
    public T join() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the call cannot be abandoned half-done: wait for it, then restore
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (error != null) {
            throw error;
        }
        if (failure != null) {
            throw failure;
        }
        return value;
    }
}
