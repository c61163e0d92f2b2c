package com.figureforge.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.failure.ApplicationFailure;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ForkedTest {

    @Test
    void joinReturnsTheValueOfACallThatRanOnAnotherThread() {
        Thread caller = Thread.currentThread();

        Forked<Thread> forked = Forked.start(Thread::currentThread);

        assertThat(forked.join()).isNotSameAs(caller);
        assertThat(forked.join().isVirtual()).isTrue();
    }

    @Test
    void joinRethrowsTheCallsOwnFailureUnwrapped() {
        ApplicationFailure failure = ApplicationFailure.newNonRetryableFailure("gone", "JOB_NOT_FOUND");

        Forked<Object> forked = Forked.start(() -> {
            throw failure;
        });

        assertThatThrownBy(forked::join).isSameAs(failure);
    }

    @Test
    void bothRunAtTheSameTime() {
        // Each side waits for the other to have started: run one after the other, this would hang.
        CountDownLatch started = new CountDownLatch(2);
        Runnable side = () -> {
            started.countDown();
            try {
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };

        Forked.both(side, side);

        assertThat(started.getCount()).isZero();
    }

    @Test
    void bothWaitsForTheForkedSideEvenWhenTheOtherFailsAndTheForkedFailureWins() {
        AtomicBoolean forkedEnded = new AtomicBoolean();
        IllegalStateException first = new IllegalStateException("first");

        assertThatThrownBy(() -> Forked.both(
                        () -> {
                            sleep(200);
                            forkedEnded.set(true);
                            throw first;
                        },
                        () -> {
                            throw new IllegalArgumentException("second");
                        }))
                .isSameAs(first);
        assertThat(forkedEnded).isTrue();
    }

    @Test
    void bothRethrowsTheSecondSidesFailureWhenTheFirstSucceeded() {
        IllegalArgumentException second = new IllegalArgumentException("second");

        assertThatThrownBy(() -> Forked.both(() -> {}, () -> {
                    throw second;
                }))
                .isSameAs(second);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
