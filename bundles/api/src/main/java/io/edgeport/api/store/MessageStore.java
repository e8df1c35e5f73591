package io.edgeport.api.store;

import java.io.IOException;
import java.util.Collection;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The broker's message store, registered as a service by the broker. Only messages on topics that some registered
 * consumer wants are kept; a consumer's registration is durable: it keeps its place while its bundle is stopped or
 * updated, like an MQTT persistent session, until {@link #remove} (call it when the consumer's configuration is
 * deleted, not when it merely stops).
 *
 * @since 1.0
 */
@ProviderType
public interface MessageStore {

    /**
     * Opens the consumer {@code name}, registering it first if it is new (it then starts with the messages accepted
     * from now on). A known consumer continues after its last committed position; {@code topicFilters} replace its
     * filters for what is accepted from now on. Opening a name that is open closes the earlier cursor.
     *
     * @param name 1-128 characters of {@code A-Z a-z 0-9 . _ : -}, starting with a letter or digit; stable across
     *        restarts and updates
     * @param topicFilters MQTT topic filters; at least one
     * @throws IllegalArgumentException for a bad name or filter
     * @throws IllegalStateException while the store is not available (the broker is stopping); open again later
     * @throws IOException when the registration cannot be written
     */
    StoreCursor open(String name, Collection<String> topicFilters) throws IOException;

    /**
     * Forgets a consumer and its position: what only it wanted may be deleted. Unknown names are ignored.
     *
     * @throws IOException when the change cannot be written
     */
    void remove(String name) throws IOException;

    /** @return figures of the store and of each registered consumer */
    StoreStatistics statistics();
}
