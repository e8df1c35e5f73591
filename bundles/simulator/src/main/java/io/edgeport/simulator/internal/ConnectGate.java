package io.edgeport.simulator.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * Limits how many devices of a fleet are in the middle of connecting, so that a fleet of thousands does not open
 * thousands of sockets (and Paho connect threads) at once. Never blocks: a connect waits in a queue and runs on the
 * thread that frees a permit. Thread-safe.
 */
final class ConnectGate {

    private final Semaphore permits;
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    ConnectGate(int concurrent) {
        this.permits = new Semaphore(concurrent);
    }

    /** Runs {@code connect} now or later; it must call {@link #release()} exactly once when its attempt is over. */
    void submit(Runnable connect) {
        waiting.add(connect);
        drain();
    }

    void release() {
        permits.release();
        drain();
    }

    int waiting() {
        return waiting.size();
    }

    private void drain() {
        while (!waiting.isEmpty() && permits.tryAcquire()) {
            Runnable next = waiting.poll();
            if (next == null) {
                permits.release();
                return;
            }
            next.run();
        }
    }
}
