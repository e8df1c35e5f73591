package io.edgeport.broker.engine.internal.store;

/**
 * A message as the {@link MessageLog} returns it.
 *
 * @param position the log position after this message: what a consumer commits once it has made it durable
 * @param timestampMillis when the broker accepted it (epoch milliseconds)
 * @param clientId the publishing client ("" for the broker's own publishes)
 * @param qos the QoS it was published with
 * @param retain its RETAIN flag
 * @param payload its payload (owned by the caller)
 */
public record StoredMessage(long position, long timestampMillis, String clientId, String topic, int qos,
        boolean retain, byte[] payload) {
}
