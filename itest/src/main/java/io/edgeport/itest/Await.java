package io.edgeport.itest;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Waits on conditions, bounded, for the tests that run inside the framework (Awaitility is not a bundle there). A
 * wait says what it waits for, and a failed one says so: "not within 30000 ms: the broker listening on …".
 */
final class Await {

    /** How often a condition is checked. */
    private static final Duration POLL = Duration.ofMillis(20);

    private Await() {
    }

    /** Waits until {@code condition} is true; fails after {@code timeout} with {@code what}. */
    static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        value(what, timeout, () -> Boolean.TRUE.equals(condition.call()) ? Boolean.TRUE : null);
    }

    /** Waits until {@code probe} returns something (not null) and returns it; fails after {@code timeout}. */
    static <T> T value(String what, Duration timeout, Callable<T> probe) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            T found = probe.call();
            if (found != null) {
                return found;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
            }
            pause();
        }
    }

    /**
     * Checks that {@code condition} stays true for the whole {@code duration} ("nothing else may come"); fails with
     * {@code what} as soon as it is false.
     */
    static void during(String what, Duration duration, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        do {
            if (!Boolean.TRUE.equals(condition.call())) {
                throw new AssertionError("not for " + duration.toMillis() + " ms: " + what);
            }
            pause();
        } while (System.nanoTime() - end < 0);
        if (!Boolean.TRUE.equals(condition.call())) {
            throw new AssertionError("not for " + duration.toMillis() + " ms: " + what);
        }
    }

    /** The poll interval of every wait in this package: the one place the in-framework tests sleep. */
    private static void pause() throws InterruptedException {
        Thread.sleep(POLL.toMillis());
    }
}
