package com.figureforge.workflows;

import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.CompletablePromise;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * {@code Workflow.await(Duration, ...)} with a summary on its timer, which the Web UI shows next to it
 * ("Grace period ends"). The commands are the ones the SDK method issues (a timer, cancelled when the
 * condition wins), so histories recorded before replay unchanged; a summary is metadata, not part of
 * the command sequence.
 */
public final class SummarizedTimers {

    private SummarizedTimers() {}

    /**
     * Like {@code Workflow.await(timeout, unblock)}: true when {@code unblock} became true, false when
     * the timeout passed first.
     */
    public static boolean await(Duration timeout, String summary, Supplier<Boolean> unblock) {
        if (unblock.get()) {
            return true;
        }
        CompletablePromise<Void> timer = Workflow.newPromise();
        CancellationScope scope = Workflow.newCancellationScope(() -> {
            Promise<Void> started = Workflow.newTimer(timeout, options(summary));
            timer.completeFrom(started);
        });
        scope.run();
        Workflow.await(() -> timer.isCompleted() || unblock.get());
        boolean unblocked = !timer.isCompleted();
        if (unblocked) {
            scope.cancel("condition met before the timer fired");
        }
        return unblocked;
    }

    private static TimerOptions options(String summary) {
        return TimerOptions.newBuilder().setSummary(summary).build();
    }
}
