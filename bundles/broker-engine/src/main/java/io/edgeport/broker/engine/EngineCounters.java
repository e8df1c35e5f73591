package io.edgeport.broker.engine;

import java.util.Map;

/**
 * Counters of one running {@link Engine}, from its start; what Mosquitto publishes under {@code $SYS/broker/}. Packet
 * and byte counts are MQTT packets as they cross the wire (without TLS or WebSocket framing); publish bytes are
 * payload bytes.
 *
 * @param clientsConnected clients connected now
 * @param clientsMaximum most clients connected at the same time
 * @param offlinePersistentSessions persistent sessions whose client is not connected
 * @param packetsReceived MQTT packets received
 * @param packetsSent MQTT packets sent
 * @param bytesReceived bytes of the packets received
 * @param bytesSent bytes of the packets sent
 * @param publishReceived PUBLISH packets received
 * @param publishSent PUBLISH packets sent
 * @param publishBytesReceived payload bytes of the PUBLISH packets received
 * @param publishBytesSent payload bytes of the PUBLISH packets sent
 * @param publishDropped PUBLISH packets acknowledged but not delivered ({@code $} topics, refused by
 *        {@link EngineHooks#mayPublish})
 * @param subscriptions subscriptions (client, filter)
 * @param retainedMessages retained messages stored
 * @param peerErrors connections closed for a peer's fault, by reason ({@code malformed_packet}, {@code tls_handshake},
 *        {@code connection_reset}, {@code connect_rate}, {@code pending_connects}, ...; every reason the engine knows,
 *        zeros included, in a stable order), plus messages dropped for clients that do not read them
 *        ({@code slow_consumer}: QoS 0; {@code stuck_subscriber}: QoS 1/2 beyond max_queued_messages); unmodifiable
 *        (since 1.1)
 * @since 1.0
 */
public record EngineCounters(
        long clientsConnected,
        long clientsMaximum,
        long offlinePersistentSessions,
        long packetsReceived,
        long packetsSent,
        long bytesReceived,
        long bytesSent,
        long publishReceived,
        long publishSent,
        long publishBytesReceived,
        long publishBytesSent,
        long publishDropped,
        long subscriptions,
        long retainedMessages,
        Map<String, Long> peerErrors) {

    public EngineCounters {
        peerErrors = peerErrors == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(peerErrors));
    }

    /** The counters without peer errors (an empty map), as in 1.0. */
    public EngineCounters(long clientsConnected, long clientsMaximum, long offlinePersistentSessions,
                          long packetsReceived, long packetsSent, long bytesReceived, long bytesSent,
                          long publishReceived, long publishSent, long publishBytesReceived, long publishBytesSent,
                          long publishDropped, long subscriptions, long retainedMessages) {
        this(clientsConnected, clientsMaximum, offlinePersistentSessions, packetsReceived, packetsSent, bytesReceived,
                bytesSent, publishReceived, publishSent, publishBytesReceived, publishBytesSent, publishDropped,
                subscriptions, retainedMessages, Map.of());
    }
}
