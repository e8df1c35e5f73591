package io.edgeport.api.broker;

import java.util.Objects;

/**
 * A retained message held by the broker.
 *
 * @param topic its topic
 * @param qos its QoS
 * @param payload its payload (a copy)
 * @since 2.2
 */
public record RetainedMessage(String topic, int qos, byte[] payload) {

    public RetainedMessage {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? new byte[0] : payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }
}
