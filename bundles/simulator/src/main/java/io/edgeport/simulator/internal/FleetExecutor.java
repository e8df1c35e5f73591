package io.edgeport.simulator.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one fleet, shared by all its Paho clients. Paho 1.2.5 runs every client's reader, writer and
 * callback loop as a long-lived task on the executor it is given (one thread each while connected) and its keep-alive
 * pings with {@code schedule}. A plain {@link ScheduledThreadPoolExecutor} has a fixed number of threads and would
 * starve those loops, so this executor sends {@code execute}/{@code submit} to an unbounded pool of small-stack
 * threads that die after 30 s idle, and {@code schedule*} (pings, readings, reconnects) to a small timer pool.
 * Scheduled work must never block.
 */
final class FleetExecutor extends AbstractExecutorService implements ScheduledExecutorService {

    /** Paho's loops are shallow; 256 KiB instead of the default 1 MiB keeps 3 threads per device affordable. */
    static final long STACK_SIZE = 256 * 1024;

    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor timers;

    FleetExecutor(String name, int timerThreads) {
        this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                factory("edgeport-sim-" + name + "-io-"));
        this.timers = new ScheduledThreadPoolExecutor(timerThreads, factory("edgeport-sim-" + name + "-timer-"));
        timers.setRemoveOnCancelPolicy(true);
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    private static ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(null, r, prefix + n.incrementAndGet(), STACK_SIZE);
            t.setDaemon(true);
            return t;
        };
    }

    /** Threads currently alive in the worker pool (for the statistics). */
    int workerThreads() {
        return workers.getPoolSize();
    }

    @Override
    public void execute(Runnable command) {
        workers.execute(command);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return timers.schedule(command, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return timers.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return timers.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
            TimeUnit unit) {
        return timers.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    @Override
    public void shutdown() {
        timers.shutdown();
        workers.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> pending = new ArrayList<>(timers.shutdownNow());
        pending.addAll(workers.shutdownNow());
        return pending;
    }

    @Override
    public boolean isShutdown() {
        return timers.isShutdown() && workers.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return timers.isTerminated() && workers.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        return timers.awaitTermination(timeout, unit)
                && workers.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
