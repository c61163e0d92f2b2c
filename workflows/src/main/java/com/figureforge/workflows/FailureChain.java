package com.figureforge.workflows;

import io.temporal.failure.ApplicationFailure;
import java.util.Optional;

/**
 * Reads what went wrong out of a Temporal failure chain ({@code ActivityFailure -> ApplicationFailure}
 * and the like), for workflows that turn failures into job or subscription state.
 */
public final class FailureChain {

    private FailureChain() {}

    /** Whether any failure in the chain is of this kind (e.g. {@code CanceledFailure}). */
    public static boolean contains(Throwable failure, Class<? extends Throwable> kind) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (kind.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The first application failure's type, e.g. a {@link FailureType} name. */
    public static Optional<String> applicationType(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApplicationFailure app) {
                return Optional.ofNullable(app.getType());
            }
        }
        return Optional.empty();
    }

    /** The first application failure's own message, else the innermost cause's. */
    public static String rootMessage(Throwable failure) {
        Throwable last = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            last = t;
            if (t instanceof ApplicationFailure app) {
                return app.getOriginalMessage();
            }
        }
        return last.getMessage();
    }
}
