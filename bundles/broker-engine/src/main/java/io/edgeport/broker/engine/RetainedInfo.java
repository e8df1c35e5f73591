package io.edgeport.broker.engine;

import java.util.Objects;

/**
 * A retained message, as {@link Engine#retained} lists it.
 *
 * @param topic its topic
 * @param qos its QoS
 * @param payload its payload (a copy)
 * @since 1.2
 */
public record RetainedInfo(String topic, int qos, byte[] payload) {

    public RetainedInfo {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? new byte[0] : payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }
}
