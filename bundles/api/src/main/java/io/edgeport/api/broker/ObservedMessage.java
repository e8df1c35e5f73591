package io.edgeport.api.broker;

import java.time.Instant;
import java.util.Objects;

/**
 * A message the broker accepted. The payload array is a private copy: the record never shares it with the broker.
 *
 * @param topic topic name
 * @param payload payload bytes (do not modify)
 * @param qos QoS the message was published with
 * @param retain retain flag as published
 * @param clientId publishing client id; empty for messages published by the broker itself
 * @param username authenticated identity of the publisher, or empty
 * @param receivedAt when the broker accepted the message
 * @since 1.0
 */
public record ObservedMessage(String topic, byte[] payload, int qos, boolean retain, String clientId,
        String username, Instant receivedAt) {

    public ObservedMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        clientId = clientId == null ? "" : clientId;
        username = username == null ? "" : username;
        Objects.requireNonNull(receivedAt, "receivedAt");
    }
}
