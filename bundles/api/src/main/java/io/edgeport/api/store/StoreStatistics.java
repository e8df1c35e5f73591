package io.edgeport.api.store;

import java.util.List;

/**
 * Figures of the {@link MessageStore}.
 *
 * @param end the position after the last stored message
 * @param storedMessages messages stored since the broker started
 * @param droppedForRetention messages consumers lost to the retention limits since the broker started (each loss is
 *        also logged)
 * @param consumers every registered consumer
 * @since 1.0
 */
public record StoreStatistics(long end, long storedMessages, long droppedForRetention, List<ConsumerPosition> consumers) {

    public StoreStatistics {
        consumers = List.copyOf(consumers);
    }

    /**
     * @param name the consumer
     * @param committed its committed position
     * @param lagBytes bytes stored after its committed position
     * @param open whether a cursor is open for it now
     */
    public record ConsumerPosition(String name, long committed, long lagBytes, boolean open) {
    }
}
