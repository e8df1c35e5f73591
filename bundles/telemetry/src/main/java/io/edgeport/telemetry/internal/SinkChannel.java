package io.edgeport.telemetry.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.store.MessageStore;
import io.edgeport.api.store.StoreCursor;
import io.edgeport.api.store.StoredMessage;
import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.RejectedMessage;
import io.edgeport.api.telemetry.TelemetrySink;
import io.edgeport.api.telemetry.TransactionalSink;

/**
 * One sink's path from the message store: a cursor named {@code sink-<name>} whose position moves only after the
 * sink returned from {@code store} (for a {@link TransactionalSink}, the position is stored with the batch and the
 * cursor continues after the sink's own position when it opens). While the sink is away, or its database is down,
 * the store keeps what it has not stored. One worker thread does everything that touches the sink, so the sink sees
 * one call at a time.
 */
final class SinkChannel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkChannel.class);
    static final long FIRST_RETRY_MS = 100;
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** How long a poll waits for the first message of a batch (also how quickly a stop is noticed). */
    private static final long IDLE_POLL_MS = 500;

    /** The settings of one channel. */
    record Options(String name, List<String> filters, int batchSize, long flushMs, long retryMaxMs) {
    }

    private final Options options;
    private final TelemetrySink sink;
    private final Supplier<ReadingDecoder> decoder;
    private final Supplier<MessageStore> store;
    private final RejectLog rejectLog;
    private final Thread worker;
    private volatile boolean running = true;
    private volatile StoreCursor cursor;
    private long lastFailureLog;
    /** The worker's nice value (see {@link LowPriority}); 0 = the broker's priority. */
    private int nice;

    final AtomicLong received = new AtomicLong();
    final AtomicLong stored = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    volatile String lastError = "";
    /** System.nanoTime() of the first failure since the last success; 0 while it works. */
    private volatile long failingSince;

    /** @param store the message store, null while there is none */
    SinkChannel(Options options, TelemetrySink sink, Supplier<ReadingDecoder> decoder, Supplier<MessageStore> store,
            RejectLog rejectLog) {
        this.options = options;
        this.sink = sink;
        this.decoder = decoder;
        this.store = store;
        this.rejectLog = rejectLog;
        this.worker = new Thread(null, this::run, "edgeport-sink-" + options.name(), 256 * 1024);
        this.worker.setDaemon(true);
    }

    /** The store's name for this sink's position. */
    static String consumerName(String sinkName) {
        return "sink-" + sinkName;
    }

    /** The CPU priority the worker lowers itself to (nice, 1..19), before {@link #start()}; 0 = none. */
    SinkChannel nice(int value) {
        this.nice = value;
        return this;
    }

    SinkChannel start() {
        worker.start();
        return this;
    }

    Options options() {
        return options;
    }

    boolean connected() {
        return cursor != null;
    }

    /** @return bytes of the store this sink has not read, -1 while it has no cursor */
    long lagBytes() {
        StoreCursor c = cursor;
        try {
            return c == null ? -1 : c.lagBytes();
        } catch (IllegalStateException closed) {
            return -1;
        }
    }

    /**
     * Stops taking messages: a batch being stored is finished and its position committed, one waiting for a retry is
     * left in the store. Waits up to {@code waitMs} for the worker.
     */
    void close(long waitMs) {
        running = false;
        worker.interrupt();
        try {
            worker.join(waitMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            LOG.warn("Sink '{}' did not return from store within {} ms; its position stays where it was",
                    options.name(), waitMs);
        }
        closeCursor();
    }

    @Override
    public void close() {
        close(15_000);
    }

    private void run() {
        LowPriority.apply(nice);
        long backoff = FIRST_RETRY_MS;
        while (running) {
            StoreCursor c = cursor;
            if (c == null) {
                c = open();
                if (c == null) {
                    pause(backoff);
                    backoff = Math.min(backoff * 2, Math.max(FIRST_RETRY_MS, options.retryMaxMs()));
                    continue;
                }
                backoff = FIRST_RETRY_MS;
            }
            try {
                List<StoredMessage> batch = nextBatch(c);
                if (!batch.isEmpty()) {
                    process(c, batch);
                }
            } catch (InterruptedException e) {
                // running tells
            } catch (IllegalStateException e) {
                // the store closed the cursor (broker restarting): open again where the position is
                noteFailure("message store: " + e.getMessage(), null);
                closeCursor();
            } catch (java.io.IOException | RuntimeException e) {
                noteFailure("cannot read the message store: " + e, e);
                closeCursor();
                pause(backoff);
            }
        }
    }

    private StoreCursor open() {
        MessageStore s = store.get();
        if (s == null) {
            noteFailure("no message store (the broker is not running)", null);
            return null;
        }
        StoreCursor c = null;
        try {
            c = s.open(consumerName(options.name()), options.filters());
            if (sink instanceof TransactionalSink t) {
                long own = t.position();
                if (own > c.committed()) {
                    long end = s.statistics().end();
                    if (own <= end) {
                        c.seek(own); // the sink committed a batch whose position the store had not saved (a crash)
                    } else {
                        LOG.warn("Sink '{}' has position {} in its database, beyond the end of the message store ({}):"
                                + " the store was reset; continuing at the store's position {}", options.name(), own,
                                end, c.committed());
                    }
                }
            }
            cursor = c;
            failingSince = 0;
            LOG.info("Sink '{}' reads the message store from position {}, filters {}", options.name(), c.committed(),
                    options.filters());
            return c;
        } catch (Exception | LinkageError e) {
            noteFailure("cannot open its position in the message store: " + e, e);
            if (c != null) {
                c.close();
            }
            return null;
        }
    }

    private void closeCursor() {
        StoreCursor c = cursor;
        cursor = null;
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.debug("Sink '{}': closing its cursor: {}", options.name(), e.toString());
            }
        }
    }

    /** The first message waits up to {@link #IDLE_POLL_MS}; then up to flushMs or batchSize messages. */
    private List<StoredMessage> nextBatch(StoreCursor c) throws java.io.IOException, InterruptedException {
        List<StoredMessage> batch = new ArrayList<>(c.poll(options.batchSize(), IDLE_POLL_MS));
        if (batch.isEmpty()) {
            return batch;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.flushMs());
        while (batch.size() < options.batchSize() && running) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            List<StoredMessage> more = c.poll(options.batchSize() - batch.size(), left);
            if (more.isEmpty()) {
                break;
            }
            batch.addAll(more);
        }
        return batch;
    }

    private void process(StoreCursor c, List<StoredMessage> batch) throws InterruptedException {
        ReadingDecoder d = decoder.get();
        List<Reading> readings = new ArrayList<>(batch.size());
        List<RejectedMessage> bad = new ArrayList<>();
        for (StoredMessage m : batch) {
            ReadingDecoder.Result r = d.decode(m);
            if (r.reading() != null) {
                readings.add(r.reading());
            } else {
                bad.add(new RejectedMessage(m.topic(), m.payload(), r.reason(), m.accepted()));
                rejectLog.rejected(options.name(), m.topic(), r.reason());
            }
        }
        received.addAndGet(batch.size());
        long position = batch.get(batch.size() - 1).position();
        long delay = FIRST_RETRY_MS;
        for (;;) {
            if (!running) {
                return; // not committed: the store keeps them
            }
            try {
                if (sink instanceof TransactionalSink t) {
                    t.store(List.copyOf(readings), List.copyOf(bad), position);
                } else {
                    if (!readings.isEmpty()) {
                        sink.store(List.copyOf(readings));
                    }
                    if (!bad.isEmpty()) {
                        sink.storeRejected(List.copyOf(bad));
                    }
                }
                break;
            } catch (Exception | LinkageError e) {
                noteFailure("store failed: " + e, e);
                pause(delay);
                delay = Math.min(delay * 2, Math.max(FIRST_RETRY_MS, options.retryMaxMs()));
            }
        }
        c.commit(position);
        failingSince = 0;
        stored.addAndGet(readings.size());
        rejected.addAndGet(bad.size());
    }

    /** @return seconds since the channel last failed to read or store without succeeding since, -1 while it works */
    long failingSeconds() {
        long since = failingSince;
        return since == 0 ? -1 : TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
    }

    private void noteFailure(String what, Throwable e) {
        failures.incrementAndGet();
        lastError = what;
        long now = System.nanoTime();
        if (failingSince == 0) {
            failingSince = now == 0 ? 1 : now;
        }
        if (lastFailureLog == 0 || now - lastFailureLog > LOG_EVERY_NANOS) {
            lastFailureLog = now;
            LOG.warn("Sink '{}': {} (retrying with back-off up to {} ms; logged once a minute)", options.name(),
                    what, options.retryMaxMs());
            if (e != null) {
                LOG.debug("Sink '{}' failure", options.name(), e);
            }
        }
    }

    private void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            // close() interrupts; running tells
        }
    }
}
