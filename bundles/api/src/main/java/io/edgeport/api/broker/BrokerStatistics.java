package io.edgeport.api.broker;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Counters of a running broker, named after Mosquitto's {@code $SYS/broker/...} topics. Counters start at zero when
 * the broker process starts.
 *
 * @param version broker version string
 * @param uptimeSeconds seconds since the broker started
 * @param clientsConnected clients connected now
 * @param clientsMaximum most clients connected at the same time
 * @param clientsTotal clients connected plus disconnected persistent sessions known to the broker
 * @param messagesReceived PUBLISH packets received from clients
 * @param messagesSent PUBLISH packets sent to clients
 * @param bytesReceived PUBLISH payload and topic bytes received
 * @param bytesSent PUBLISH payload and topic bytes sent
 * @param publishDropped messages the broker dropped (queue limit, size limit, refused by ACL)
 * @param subscriptions active subscriptions
 * @param retainedMessages retained messages stored
 * @since 1.0
 */
@ProviderType // only the broker makes these; a component added later keeps the old constructor as a secondary one
public record BrokerStatistics(
        String version,
        long uptimeSeconds,
        long clientsConnected,
        long clientsMaximum,
        long clientsTotal,
        long messagesReceived,
        long messagesSent,
        long bytesReceived,
        long bytesSent,
        long publishDropped,
        long subscriptions,
        long retainedMessages) {
}
