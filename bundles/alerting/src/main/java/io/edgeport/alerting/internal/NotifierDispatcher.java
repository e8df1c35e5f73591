package io.edgeport.alerting.internal;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.alerting.AlarmNotifier;

/**
 * One notifier's delivery thread. It reads the engine's event log after its position, calls the notifier once per
 * event in order and moves on only when the call returned; a call that throws is repeated after a back-off (1 s
 * doubling to the notifier's maximum). A durable notifier (with a name) keeps its position in the database, so it
 * continues after a restart or an update where it stopped; an anonymous one starts at the newest event.
 *
 * <p>The engine never waits for this thread: {@link #wake()} only signals. Failures are counted and logged once per
 * streak (the first failure, then the recovery).
 */
final class NotifierDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NotifierDispatcher.class);
    static final long FIRST_RETRY_MS = 1_000;
    private static final int PAGE = 200;

    private final String name;
    private final String label;
    private final AlarmNotifier notifier;
    private final AlarmStore store;
    private final long retryMaxMs;
    private final Thread thread;
    private final Object signal = new Object();
    private volatile boolean running = true;
    private boolean woken;
    private volatile long position;

    final AtomicLong delivered = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    volatile String lastError = "";

    /**
     * @param name the durable name, or null for an anonymous notifier
     * @param label for logs and the console
     */
    NotifierDispatcher(String name, String label, AlarmNotifier notifier, AlarmStore store, long retryMaxMs)
            throws SQLException {
        this.name = name;
        this.label = label;
        this.notifier = notifier;
        this.store = store;
        this.retryMaxMs = Math.max(FIRST_RETRY_MS, retryMaxMs);
        long start;
        if (name == null) {
            start = store.head();
        } else {
            var c = store.cursor(name);
            if (c.isPresent()) {
                start = c.getAsLong();
            } else {
                start = store.head();
                store.cursor(name, start); // from now on, durably
            }
        }
        this.position = start;
        this.thread = new Thread(this::run, "edgeport-alarm-notifier-" + label);
        this.thread.setDaemon(true);
    }

    NotifierDispatcher start() {
        thread.start();
        return this;
    }

    String label() {
        return label;
    }

    long position() {
        return position;
    }

    /** New events are in the store. Never blocks. */
    void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void run() {
        long backoff = FIRST_RETRY_MS;
        boolean failing = false;
        while (running) {
            List<StoredEvent> events;
            try {
                events = store.eventsAfter(position, PAGE);
            } catch (SQLException e) {
                LOG.warn("Alarm notifier {}: cannot read the event log: {}", label, e.getMessage());
                sleep(FIRST_RETRY_MS);
                continue;
            }
            if (events.isEmpty()) {
                synchronized (signal) {
                    if (!woken && running) {
                        try {
                            signal.wait(1_000);
                        } catch (InterruptedException e) {
                            // close() interrupts; running tells
                        }
                    }
                    woken = false;
                }
                continue;
            }
            for (StoredEvent e : events) {
                if (!running) {
                    return;
                }
                try {
                    notifier.notify(e.event());
                } catch (Exception | LinkageError ex) {
                    failures.incrementAndGet();
                    lastError = String.valueOf(ex);
                    if (!failing) {
                        failing = true;
                        LOG.warn("Alarm notifier {} failed on event {} ({}); retrying with back-off up to {} ms,"
                                + " logged once until it recovers", label, e.event().id(), ex.toString(), retryMaxMs);
                        LOG.debug("Alarm notifier {} failure", label, ex);
                    }
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, retryMaxMs);
                    break; // read the page again from the same position
                }
                if (failing) {
                    failing = false;
                    LOG.info("Alarm notifier {} recovered after {} failures", label, failures.get());
                }
                backoff = FIRST_RETRY_MS;
                position = e.seq();
                delivered.incrementAndGet();
                if (name != null) {
                    try {
                        store.cursor(name, e.seq());
                    } catch (SQLException ex) {
                        LOG.warn("Alarm notifier {}: cannot record its position {}: {}", label, e.seq(),
                                ex.getMessage());
                    }
                }
            }
        }
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            // close() interrupts; running tells
        }
    }

    /** Stops after the current call; waits up to {@code waitMs} for it. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Alarm notifier {} did not return within 5 s; left behind", label);
        }
    }
}
