package io.edgeport.alerting.internal;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.alerting.AlarmNotifier;

/**
 * One notifier's delivery thread. It calls the notifier once per event of the engine's event log, in order, and moves
 * on only when the call returned; a call that throws is repeated after a back-off (1 s doubling to the notifier's
 * maximum). A durable notifier (with a name) keeps its position in the database, so it continues after a restart or an
 * update where it stopped; an anonymous one starts at the newest event.
 *
 * <p>Events come from the database while the notifier is behind (at its start, after a failure, or when more than
 * {@value #QUEUE_MAX} events waited for it) and otherwise straight from the engine's commits through {@link #offer}:
 * an alarm reaches a notifier that keeps up without a query and without waiting for the store's lock, which the
 * engine holds while it commits the next batch. Switching from the database to the queue is safe because the queue is
 * emptied <em>before</em> the query that found nothing more: every event committed after that is in the queue, and
 * events the query and the queue both hold are skipped by their sequence number.
 *
 * <p>The position is written once per delivered batch, as a plain commit (see {@link AlarmStore#cursor(String,
 * long)}): after a kill a notifier may repeat its last events, with the same alarm id and transition.
 *
 * <p>The engine never waits for this thread: {@link #offer} only queues and signals. Failures are counted and logged
 * once per streak (the first failure, then the recovery).
 */
final class NotifierDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NotifierDispatcher.class);
    static final long FIRST_RETRY_MS = 1_000;
    private static final int PAGE = 200;
    static final int QUEUE_MAX = 10_000;
    private final int queueMax;

    private final String name;
    private final String label;
    private final AlarmNotifier notifier;
    private final AlarmStore store;
    private final long retryMaxMs;
    private final Thread thread;
    private final Object signal = new Object();
    private final ArrayDeque<StoredEvent> queue = new ArrayDeque<>();
    private boolean overflow;
    private volatile boolean running = true;
    private volatile long position;
    /** Whether the next events are read from the database (the queue may lack some). Only the thread uses it. */
    private boolean behind = true;
    private long backoff = FIRST_RETRY_MS;
    private boolean failing;

    final AtomicLong delivered = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    volatile String lastError = "";

    /**
     * @param name the durable name, or null for an anonymous notifier
     * @param label for logs and the console
     */
    NotifierDispatcher(String name, String label, AlarmNotifier notifier, AlarmStore store, long retryMaxMs)
            throws SQLException {
        this(name, label, notifier, store, retryMaxMs, QUEUE_MAX);
    }

    /** @param queueMax events held for the notifier in memory before it reads the database instead */
    NotifierDispatcher(String name, String label, AlarmNotifier notifier, AlarmStore store, long retryMaxMs,
            int queueMax) throws SQLException {
        this.queueMax = queueMax;
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
                store.cursor(name, start);
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

    /** Events the engine just committed, in order. Never blocks. */
    void offer(List<StoredEvent> events) {
        synchronized (signal) {
            if (!overflow) {
                if (queue.size() + events.size() > queueMax) {
                    overflow = true; // the notifier is far behind: it reads the database until it caught up
                    queue.clear();
                } else {
                    queue.addAll(events);
                }
            }
            signal.notifyAll();
        }
    }

    private void run() {
        while (running) {
            List<StoredEvent> events;
            if (behind) {
                synchronized (signal) {
                    queue.clear(); // from here on every committed event is in the queue (see the class comment)
                    overflow = false;
                }
                try {
                    events = store.eventsAfter(position, PAGE);
                } catch (SQLException e) {
                    LOG.warn("Alarm notifier {}: cannot read the event log: {}", label, e.getMessage());
                    sleep(FIRST_RETRY_MS);
                    continue;
                }
                if (events.isEmpty()) {
                    behind = false;
                    continue;
                }
            } else {
                synchronized (signal) {
                    if (queue.isEmpty() && !overflow && running) {
                        try {
                            signal.wait(1_000);
                        } catch (InterruptedException e) {
                            // close() interrupts; running tells
                        }
                    }
                    if (overflow) {
                        behind = true;
                        continue;
                    }
                    events = new ArrayList<>(Math.min(queue.size(), PAGE));
                    while (!queue.isEmpty() && events.size() < PAGE) {
                        events.add(queue.poll());
                    }
                }
                if (events.isEmpty()) {
                    continue;
                }
            }
            if (!deliver(events)) {
                behind = true; // read what is left again from the database, from the same position
            }
        }
    }

    /** @return false when a call failed (after its back-off) or the dispatcher is closing */
    private boolean deliver(List<StoredEvent> events) {
        long before = position;
        try {
            for (StoredEvent e : events) {
                if (e.seq() <= position) {
                    continue; // delivered already (read from the database and also queued)
                }
                if (!running) {
                    return false;
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
                    return false;
                }
                if (failing) {
                    failing = false;
                    LOG.info("Alarm notifier {} recovered after {} failures", label, failures.get());
                }
                backoff = FIRST_RETRY_MS;
                position = e.seq();
                delivered.incrementAndGet();
            }
            return true;
        } finally {
            if (name != null && position != before) {
                try {
                    store.cursor(name, position);
                } catch (SQLException ex) {
                    LOG.warn("Alarm notifier {}: cannot record its position {}: {}", label, position,
                            ex.getMessage());
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
