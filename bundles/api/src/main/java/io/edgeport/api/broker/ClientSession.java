package io.edgeport.api.broker;

import java.util.List;
import java.util.Objects;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A client's session held by the broker, whether its client is connected or not (a persistent session outlives its
 * connection and collects QoS 1/2 messages for it). An interface, not a record: the broker may report more about a
 * session in later minor versions.
 *
 * @since 2.3
 */
@ProviderType
public interface ClientSession {

    /** @return its MQTT client identifier */
    String clientId();

    /** @return whether its client is connected now */
    boolean connected();

    /** @return whether it outlives its connection (the client connected with clean session false) */
    boolean persistent();

    /** @return its subscriptions, sorted by topic filter */
    List<Subscription> subscriptions();

    /** @return QoS 1/2 messages waiting for its client (offline, or not reading fast enough) */
    long queued();

    /** @return messages sent to its client and not yet acknowledged */
    int inflight();

    /**
     * One subscription of a session.
     *
     * @param topicFilter its topic filter
     * @param qos the maximum QoS it asked for
     */
    record Subscription(String topicFilter, int qos) {
        public Subscription {
            Objects.requireNonNull(topicFilter, "topicFilter");
        }
    }
}
