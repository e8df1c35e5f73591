package io.edgeport.broker.engine;

import java.util.List;
import java.util.Objects;

/**
 * A client session, online or offline, as {@link Engine#sessions} lists it.
 *
 * @param clientId client identifier
 * @param connected whether its client is connected now
 * @param persistent whether it outlives its connection (CONNECT with clean session false)
 * @param subscriptions its subscriptions, sorted by topic filter
 * @param queued messages waiting for it (QoS 1/2 for an offline or slow client)
 * @param inflight messages sent to it and not yet acknowledged
 * @since 1.3
 */
public record SessionInfo(String clientId, boolean connected, boolean persistent, List<Subscription> subscriptions,
                          long queued, int inflight) {

    public SessionInfo {
        Objects.requireNonNull(clientId, "clientId");
        subscriptions = subscriptions == null ? List.of() : List.copyOf(subscriptions);
    }

    /**
     * One subscription of a session.
     *
     * @param topicFilter its topic filter
     * @param qos the QoS it asked for
     */
    public record Subscription(String topicFilter, int qos) {
        public Subscription {
            Objects.requireNonNull(topicFilter, "topicFilter");
        }
    }
}
