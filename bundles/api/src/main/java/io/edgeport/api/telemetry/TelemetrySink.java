package io.edgeport.api.telemetry;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Storage for readings: register implementations as OSGi services (whiteboard). The telemetry pipeline gives each
 * sink its own position in the gateway's message store, named by {@link #NAME}, and moves it only after
 * {@link #store} returned. Messages that arrive while no sink of that name is registered wait in the store (within
 * its retention limits, which log what they drop). A sink that must never repeat a reading after a crash implements
 * {@link TransactionalSink}.
 *
 * <p>Calls for one sink come from one thread at a time.
 *
 * @since 1.0
 */
@ConsumerType
public interface TelemetrySink {

    /**
     * Service property (String, required): the sink's stable name. It names the sink's position in the store
     * ({@code sink-<name>}), so a sink that keeps its name after an update or restart continues where it stopped.
     * Sinks without it are ignored and logged.
     */
    String NAME = "edgeport.sink.name";

    /**
     * Service property (String or String[], optional): MQTT topic filters the sink wants; the pipeline's configured
     * filters when absent.
     */
    String TOPICS = "edgeport.sink.topics";

    /** Service property (Integer, optional): most readings per {@link #store} call; default 1000. */
    String BATCH_SIZE = "edgeport.sink.batch.size";

    /**
     * Service property (Long, optional): how long the pipeline waits for a batch to fill before it hands over
     * what it has, in milliseconds; default 50.
     */
    String FLUSH_MS = "edgeport.sink.flush.ms";

    /**
     * Service property (Long, optional): longest pause between retries of a failed batch, in milliseconds; retries
     * start at 100 ms and double up to this; default 30000.
     */
    String RETRY_MAX_MS = "edgeport.sink.retry.max.ms";

    /**
     * Stores a batch durably. Returns only when every reading of the batch is durable; throws when it is not, and
     * the same readings come again later (also after a restart). A reading that is already stored must not be
     * stored twice.
     *
     * @param batch one or more readings, in the order the broker delivered them
     * @throws Exception when the batch is not durable; the pipeline retries with back-off
     */
    void store(List<Reading> batch) throws Exception;

    /**
     * Stores messages that were not readings (dead letters), with the same contract as {@link #store}. The default
     * drops them, which the pipeline counts and logs.
     *
     * @param rejected one or more rejected messages
     * @throws Exception when they are not durable
     */
    default void storeRejected(List<RejectedMessage> rejected) throws Exception {
        // a sink without a dead-letter store
    }
}
