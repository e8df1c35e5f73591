package io.edgeport.broker.engine;

import java.time.Instant;
import java.util.Objects;

/**
 * A message the engine accepted for delivery, as {@link EngineHooks#onPublish} sees it.
 *
 * @param topic topic name
 * @param payload payload bytes (a copy owned by the receiver)
 * @param qos 0, 1 or 2
 * @param retain the RETAIN flag the publisher set
 * @param clientId the publishing client; empty for messages published through {@link Engine#publish}
 * @param username the publisher's username, or null
 * @param received when the engine accepted it
 * @since 1.0
 */
public record EngineMessage(String topic, byte[] payload, int qos, boolean retain, String clientId, String username,
        Instant received) {

    public EngineMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        clientId = clientId == null ? "" : clientId;
    }

    /** Without the payload, which may hold anything. */
    @Override
    public String toString() {
        return "EngineMessage[topic=" + topic + ", bytes=" + payload.length + ", qos=" + qos + ", retain=" + retain
                + ", clientId=" + clientId + "]";
    }
}
