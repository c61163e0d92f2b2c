package com.figureforge.workflows;

import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.CompletablePromise;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * {@code Workflow.sleep} and {@code Workflow.await(Duration, ...)} with a summary on their timer, which
 * the Web UI shows next to it ("Grace period ends", "Next fal status poll"). The commands are the ones
 * the SDK methods issue (a timer; for await, cancelled when the condition wins), so histories recorded
 * before replay unchanged: a summary is the command's user metadata, not part of its identity.
 */
public final class SummarizedTimers {

    private SummarizedTimers() {}

    /** Like {@code Workflow.sleep(duration)}. */
    public static void sleep(Duration duration, String summary) {
        Workflow.newTimer(duration, options(summary)).get();
    }

    /** Like {@code Workflow.newTimer(duration)}. */
    public static Promise<Void> timer(Duration duration, String summary) {
        return Workflow.newTimer(duration, options(summary));
    }

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
