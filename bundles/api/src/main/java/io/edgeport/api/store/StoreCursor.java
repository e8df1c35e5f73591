package io.edgeport.api.store;

import java.io.IOException;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One consumer's reading position in the {@link MessageStore}. Used by one thread at a time. After the store closed
 * it (the broker stopped or was reconfigured, or the name was opened again) every call throws
 * {@link IllegalStateException}: open the consumer again to continue where it committed.
 *
 * @since 1.0
 */
@ProviderType
public interface StoreCursor extends AutoCloseable {

    /** @return the consumer's name */
    String name();

    /**
     * Reads up to {@code max} messages that match the consumer's filters, in the order the broker accepted them,
     * waiting up to {@code timeoutMillis} for the first. Only messages the broker has stored durably are returned.
     *
     * @return the messages; empty when none came in time
     * @throws IOException when the store cannot be read
     * @throws InterruptedException when the thread is interrupted while it waits
     */
    List<StoredMessage> poll(int max, long timeoutMillis) throws IOException, InterruptedException;

    /**
     * Records that everything up to {@code position} (a {@link StoredMessage#position()} from this consumer) is done.
     * Positions only move forward; a smaller one is ignored.
     */
    void commit(long position);

    /**
     * Continues after {@code position}, a position this consumer kept in its own storage (ahead of the store's saved
     * one after a crash); also commits it.
     */
    void seek(long position);

    /** @return the last committed position */
    long committed();

    /** @return bytes of the store this consumer has not read yet */
    long lagBytes();

    /** Stops reading; the registration and its committed position stay. */
    @Override
    void close();
}
