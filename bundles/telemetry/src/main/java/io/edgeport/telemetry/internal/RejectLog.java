package io.edgeport.telemetry.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs rejected messages once per topic per minute, so a misbehaving device cannot flood the log. Thread-safe; it
 * forgets everything when it tracks more than {@link #MAX_TOPICS} topics (worst case: a few extra log lines).
 */
final class RejectLog {

    private static final Logger LOG = LoggerFactory.getLogger(RejectLog.class);
    static final int MAX_TOPICS = 10_000;
    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final ConcurrentHashMap<String, Long> lastLogged = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    RejectLog() {
        this(System::nanoTime);
    }

    RejectLog(LongSupplier clock) {
        this.clock = clock;
    }

    /** @return whether this call logged */
    boolean rejected(String sink, String topic, String reason) {
        long now = clock.getAsLong();
        Long before = lastLogged.get(topic);
        if (before != null && now - before < INTERVAL_NANOS) {
            return false;
        }
        if (lastLogged.size() >= MAX_TOPICS) {
            lastLogged.clear();
        }
        if (before == null ? lastLogged.putIfAbsent(topic, now) != null : !lastLogged.replace(topic, before, now)) {
            return false; // another thread logged it just now
        }
        LOG.warn("Sink '{}': message on '{}' is not a reading ({}); kept as a dead letter. Further rejects on this"
                + " topic are counted, not logged, for a minute", sink, topic, reason);
        return true;
    }
}
