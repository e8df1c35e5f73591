package io.edgeport.api.auth;

import java.util.Objects;

/**
 * One authorization question.
 *
 * @param identity the identity the authenticator gave the client (empty for anonymous clients)
 * @param clientId the client identifier
 * @param topic a topic name ({@link Action#PUBLISH}, {@link Action#RECEIVE}) or a topic filter
 *        ({@link Action#SUBSCRIBE})
 * @param action the action
 * @since 1.0
 */
public record AccessRequest(String identity, String clientId, String topic, Action action) {
    public AccessRequest {
        identity = identity == null ? "" : identity;
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(action, "action");
    }
}
