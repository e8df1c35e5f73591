package io.edgeport.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;

import io.edgeport.api.store.MessageStore;
import io.edgeport.api.store.StoreCursor;
import io.edgeport.api.store.StoreStatistics;
import io.edgeport.broker.engine.internal.store.MessageLog;

/**
 * The broker's real message store on a folder, for tests of its consumers (sinks, rules): {@link #publish} does what
 * the broker does with an accepted message (log it, then write it as the group commit would). The one place outside
 * the engine that touches its internal store package.
 */
public final class TestMessageStore implements MessageStore, AutoCloseable {

    private final Path dir;
    private MessageLog log;

    public TestMessageStore(Path dir) throws IOException {
        this.dir = dir;
        this.log = open(dir);
    }

    private static MessageLog open(Path dir) throws IOException {
        // Positions are saved only at registration and close, so crash() loses every commit since: the worst case
        return MessageLog.open(dir, false, Long.MAX_VALUE, Long.MAX_VALUE / 2, Clock.systemUTC(), 16L << 20,
                Long.MAX_VALUE / 2);
    }

    /** Stores a message as the broker would when a client published it, if a consumer wants it. */
    public synchronized boolean publish(String clientId, String topic, byte[] payload, int qos) throws IOException {
        if (!log.wanted(topic)) {
            return false;
        }
        log.append(System.currentTimeMillis(), clientId, topic, qos, false, payload);
        log.flush();
        return true;
    }

    public boolean publish(String topic, String payload) throws IOException {
        return publish("test", topic, payload.getBytes(StandardCharsets.UTF_8), 1);
    }

    /** Closes and opens the store again, as a broker restart does: open cursors fail and consumers reopen. */
    public synchronized void restart() throws IOException {
        log.close();
        log = open(dir);
    }

    /**
     * Stops the store as a crash would and opens it again: every position committed since the consumer registered is
     * lost (they are saved at most every 200 ms in the gateway; here never, the worst case).
     */
    public synchronized void crash() throws IOException {
        log.abandon();
        log = open(dir);
    }

    @Override
    public synchronized StoreCursor open(String name, Collection<String> topicFilters) throws IOException {
        return log.open(name, topicFilters);
    }

    @Override
    public synchronized void remove(String name) throws IOException {
        log.remove(name);
    }

    @Override
    public synchronized StoreStatistics statistics() {
        return log.statistics();
    }

    @Override
    public synchronized void close() throws IOException {
        log.close();
    }
}
