package io.edgeport.api.telemetry;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A {@link TelemetrySink} that keeps its position in the gateway's message store with its data, in one transaction:
 * after a crash it neither loses nor repeats a reading, without needing a natural key to drop copies. The pipeline
 * asks {@link #position()} when it opens the sink and continues after it; then it calls
 * {@link #store(List, List, long)} instead of the one-argument methods.
 *
 * @since 1.1
 */
@ConsumerType
public interface TransactionalSink extends TelemetrySink {

    /**
     * @return the store position saved by the last successful {@link #store(List, List, long)}, or -1 when there is
     *         none (a new sink starts where the store has its position)
     * @throws Exception when it cannot be read; the pipeline retries with back-off
     */
    long position() throws Exception;

    /**
     * Stores the readings, the rejected messages and {@code position} in one transaction: all or nothing.
     *
     * @param readings decoded readings, in the order the broker accepted them (may be empty)
     * @param rejected messages that were not readings (may be empty)
     * @param position the store position after the last message of this batch
     * @throws Exception when the batch is not durable; the same batch comes again
     */
    void store(List<Reading> readings, List<RejectedMessage> rejected, long position) throws Exception;
}
