package io.edgeport.broker.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Group commit: nobody is called back before a commit that started after their change, and commits are shared. */
class GroupCommitTest {

    @Test
    void noCallbackBeforeTheCommitThatCoversItsChange() throws Exception {
        AtomicLong changes = new AtomicLong();
        AtomicLong committedUpTo = new AtomicLong();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        int threads = 4;
        int perThread = 2_000;
        CountDownLatch done = new CountDownLatch(threads * perThread);
        try (GroupCommit gc = new GroupCommit("test-commit", null, () -> committedUpTo.set(changes.get()))) {
            for (int t = 0; t < threads; t++) {
                new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        long mine = changes.incrementAndGet();
                        gc.whenDurable(gc.ticket(), Runnable::run, () -> {
                            if (committedUpTo.get() < mine) {
                                violations.add("change " + mine + " answered after a commit of " + committedUpTo.get());
                            }
                            done.countDown();
                        });
                    }
                }).start();
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(violations).isEmpty();
            assertThat(gc.rounds).as("commits were shared").isLessThan(threads * perThread);
        }
    }

    @Test
    void waitersOfARunningRoundWaitForTheNextOne() throws Exception {
        Semaphore commit = new Semaphore(0);
        try (GroupCommit gc = new GroupCommit("test-commit", null, commit::acquire, Long.MAX_VALUE)) {
            CountDownLatch first = new CountDownLatch(1);
            CountDownLatch second = new CountDownLatch(1);
            long t1 = gc.ticket();
            gc.whenDurable(t1, Runnable::run, first::countDown);
            // the committer has taken round t1 and waits in commit(); a change now needs the next round
            await("the committer took round " + t1).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                    .until(() -> gc.ticket() != t1);
            long t2 = gc.ticket();
            assertThat(t2).isEqualTo(t1 + 1);
            gc.whenDurable(t2, Runnable::run, second::countDown);
            commit.release();
            assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(second.getCount()).as("its round has not committed").isEqualTo(1);
            assertThat(gc.isDurable(t2)).isFalse();
            commit.release();
            assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aFailingCommitAnswersNobodyUntilItWorksAgain() throws Exception {
        AtomicLong failures = new AtomicLong(2);
        try (GroupCommit gc = new GroupCommit("test-commit", null, () -> {
            if (failures.getAndDecrement() > 0) {
                throw new java.io.IOException("No space left on device");
            }
        })) {
            CountDownLatch answered = new CountDownLatch(1);
            long t = gc.ticket();
            gc.whenDurable(t, Runnable::run, answered::countDown);
            assertThat(answered.await(500, TimeUnit.MILLISECONDS)).as("not while failing").isFalse();
            assertThat(answered.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(failures.get()).isNegative();
        }
    }
}
