package io.edgeport.broker.engine.internal.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: makes the broker's changes durable in batches and tells whoever waits for them.
 *
 * <p>Protocol: a caller that must not answer before its changes are stored (a PUBACK, a SUBACK) takes a
 * {@link #ticket()} <em>after</em> it made its changes (or after they were queued to the threads that make them) and
 * asks {@link #whenDurable} to be called back. The committer thread runs rounds: a round takes the generation number
 * {@code g}, runs the barrier (which returns once every broker thread ran what was queued to it before — so changes
 * queued before the ticket was taken have been made), then the commit (the log's write, and fsync when configured), and
 * then completes generation {@code g}: every waiter whose ticket is at most {@code g} is called back. A ticket handed
 * out while round {@code g} runs is {@code g + 1}: callers that arrive during a round share the next one. So the cost
 * is one write (or fsync) per round, whatever the number of waiters, and nobody is answered before a commit that
 * started after their change.
 *
 * <p>A failing commit (disk full, I/O error) completes nothing: waiters keep waiting (clients see no acknowledgement
 * and stop at their in-flight limit) and the round is retried every second, with one log line per failure kind.
 * Callbacks run on the committer thread: they must only hand work to another executor.
 */
public final class GroupCommit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    /** With nothing to wait for, buffered changes (QoS 0 retained updates, say) are still written this often. */
    static final long IDLE_FLUSH_MS = 200;

    /** Writes what was changed; throws when it could not. */
    @FunctionalInterface
    public interface Commit {
        void commit() throws Exception;
    }

    private record Waiter(long ticket, Executor executor, Runnable callback) {
    }

    private final Runnable barrier;
    private final Commit commit;
    private final long idleFlushMs;
    private final Object lock = new Object();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private long started;
    private volatile long completed;
    private boolean closed;
    private String lastFailure;
    private long failingSince;
    private final Thread thread;
    /** Rounds run (statistics, tests). */
    volatile long rounds;

    /**
     * @param barrier returns when every thread that changes the store ran what was queued to it before the call;
     *        null = nothing to wait for
     * @param commit makes the changes durable
     */
    public GroupCommit(String name, Runnable barrier, Commit commit) {
        this(name, barrier, commit, IDLE_FLUSH_MS);
    }

    /** @param idleFlushMs a round at least this often, also with nobody waiting (Long.MAX_VALUE: never) */
    public GroupCommit(String name, Runnable barrier, Commit commit, long idleFlushMs) {
        this.idleFlushMs = idleFlushMs;
        this.barrier = barrier;
        this.commit = commit;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** @return the generation that covers every change made (or queued) before this call */
    public long ticket() {
        synchronized (lock) {
            return started + 1;
        }
    }

    public boolean isDurable(long ticket) {
        return completed >= ticket;
    }

    /** @return the last completed generation */
    public long completed() {
        return completed;
    }

    /**
     * Runs {@code callback} on {@code executor} once generation {@code ticket} completed (at once, on the caller's
     * thread, if it already has). After {@link #close()} callbacks are never run.
     */
    public void whenDurable(long ticket, Executor executor, Runnable callback) {
        synchronized (lock) {
            if (completed < ticket) {
                if (!closed) {
                    waiters.add(new Waiter(ticket, executor, callback));
                    lock.notifyAll();
                }
                return;
            }
        }
        executor.execute(callback);
    }

    /**
     * Blocks until a commit that started after this call completed.
     *
     * @return false on timeout or when closed
     */
    public boolean awaitDurable(long timeout, TimeUnit unit) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        whenDurable(ticket(), Runnable::run, done::countDown);
        return done.await(timeout, unit);
    }

    private void run() {
        while (true) {
            long generation;
            boolean answering;
            synchronized (lock) {
                try {
                    while (!closed && waiters.isEmpty()) {
                        lock.wait(idleFlushMs);
                        if (waiters.isEmpty()) {
                            break; // idle: a round anyway, so buffered changes reach the disk
                        }
                    }
                } catch (InterruptedException e) {
                    closed = true;
                }
                if (closed) {
                    return;
                }
                generation = ++started;
                answering = !waiters.isEmpty(); // an idle round only writes: nobody needs the barrier's guarantee
            }
            try {
                if (barrier != null && answering) {
                    barrier.run();
                }
                commit.commit();
                if (lastFailure != null) {
                    LOG.warn("The broker store is written again after {} s; held acknowledgements are sent",
                            (System.nanoTime() - failingSince) / 1_000_000_000L);
                    lastFailure = null;
                }
            } catch (Exception | Error e) {
                String kind = e.getClass().getName() + ": " + e.getMessage();
                if (lastFailure == null) {
                    failingSince = System.nanoTime();
                }
                if (!kind.equals(lastFailure)) {
                    LOG.error("Cannot write the broker store ({}); acknowledgements are held until it works again",
                            kind);
                    lastFailure = kind;
                }
                synchronized (lock) {
                    try {
                        lock.wait(1_000);
                    } catch (InterruptedException ie) {
                        closed = true;
                    }
                }
                continue;
            }
            rounds++;
            List<Waiter> done = new ArrayList<>();
            synchronized (lock) {
                completed = generation;
                while (!waiters.isEmpty() && waiters.peek().ticket() <= generation) {
                    done.add(waiters.poll());
                }
            }
            for (Waiter w : done) {
                try {
                    w.executor().execute(w.callback());
                } catch (RuntimeException e) {
                    LOG.debug("Acknowledgement callback not run: {}", e.toString()); // its event loop is stopping
                }
            }
        }
    }

    /**
     * Stops the committer after the round in progress; waiters that are left are dropped (their connections are
     * closing). Does not run a final commit: the owner does that on its own thread.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            waiters.clear();
            lock.notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
