package io.edgeport.api.telemetry;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import io.edgeport.api.store.StoredMessage;

/**
 * The telemetry pipeline's reading decoder as a service, for other consumers of the message store (the alerting
 * engine): the topics readings come on and the decoding the pipeline is configured with. Decoding is shared with
 * the sinks through {@link StoredMessage#decoded}: a message read by several consumers is decoded once.
 *
 * @since 1.1
 */
@ProviderType
public interface Readings {

    /** @return the MQTT topic filters readings are taken from */
    List<String> topics();

    /** @return the reading in {@code message}, or empty when it is not one (the sinks keep those as rejects) */
    Optional<Reading> decode(StoredMessage message);
}
