package io.edgeport.api.broker;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The running MQTT broker. Registered while the broker accepts connections; it goes away while the broker is
 * reconfigured, so hold it as a dynamic reference.
 *
 * <p>Thread-safe. Calls never block on network I/O of clients.
 */
@ProviderType
public interface BrokerService {

    /**
     * {@code osgi.condition.id} of the {@code org.osgi.service.condition.Condition} service the broker registers once
     * it admits MQTT clients: after its start, when the security providers configured then are in place (or it gave
     * up waiting for them). Components that announce the gateway as ready reference it, for example with
     * {@code @Reference(target = "(osgi.condition.id=" + READY_CONDITION + ")")}.
     *
     * @since 1.2
     */
    String READY_CONDITION = "io.edgeport.broker.ready";

    /**
     * Publishes a message as the broker itself (no client, no ACL check), exactly as if a client had published it:
     * retained handling and delivery to subscribers apply.
     *
     * @param topic a topic name without wildcards; must not be empty
     * @param payload the payload; copied before the call returns
     * @param qos 0, 1 or 2
     * @param retain whether the broker keeps the message for future subscribers
     * @throws IllegalArgumentException on a bad topic or QoS
     * @throws IllegalStateException when the broker is stopping
     */
    void publish(String topic, byte[] payload, int qos, boolean retain);

    /**
     * {@link #publish(String, byte[], int, boolean)}, with the message stored under {@code origin} as its publisher:
     * {@link io.edgeport.api.store.StoredMessage#clientId()} is {@code origin} for the consumers of the message store,
     * so a component that both brings messages in and sends messages out (a bridge) can leave its own ones alone.
     *
     * @param origin starts with {@code $} (which sets it apart from the client ids devices use), at most 128
     *        characters, e.g. {@code $bridge:plant}
     * @throws IllegalArgumentException on a bad topic, QoS or origin
     * @since 2.3
     */
    default void publish(String topic, byte[] payload, int qos, boolean retain, String origin) {
        publish(topic, payload, qos, retain);
    }

    /** Listeners the broker is bound to, as URIs such as {@code mqtt://127.0.0.1:1883} or {@code ws://0.0.0.0:8083/mqtt}. */
    List<String> listeners();

    /** A consistent snapshot of the counters the broker also publishes under {@code $SYS/broker/}. */
    BrokerStatistics statistics();

    /**
     * @return the clients connected now (empty while the broker restarts, and from providers older than 2.1)
     * @since 2.1
     */
    default java.util.List<ConnectedClient> clients() {
        return java.util.List.of();
    }

    /**
     * Closes a connected client's connection, as if the network had dropped it: its Last Will is published, its
     * persistent session stays.
     *
     * @return false when no client with that id is connected (always, from providers older than 2.1)
     * @since 2.1
     */
    default boolean disconnect(String clientId) {
        return false;
    }

    /**
     * @param topicFilter an MQTT topic filter ({@code #} for all)
     * @param limit most messages returned
     * @return the retained messages whose topic matches, sorted by topic (a scan of the retained store: for operators)
     * @throws IllegalArgumentException when {@code topicFilter} is no valid MQTT topic filter
     * @since 2.2
     */
    default java.util.List<RetainedMessage> retained(String topicFilter, int limit) {
        return java.util.List.of();
    }

    /**
     * @param clientIdPrefix only sessions whose client id starts with it ({@code ""} for all)
     * @param limit most sessions returned
     * @return sessions, of connected and of offline clients, sorted by client id (looks at every session: for
     *         operators, not for every message); empty while the broker restarts
     * @since 2.3
     */
    default java.util.List<ClientSession> sessions(String clientIdPrefix, int limit) {
        return java.util.List.of();
    }

    /**
     * Deletes a client's session: a connected client is disconnected, its subscriptions and the messages queued or in
     * flight for it are discarded; its next CONNECT starts a new session.
     *
     * @return false when there is no session of that client id (always, from providers older than 2.3)
     * @since 2.3
     */
    default boolean deleteSession(String clientId) {
        return false;
    }

    /**
     * @return QoS 1/2 messages queued for clients now (offline persistent sessions, slow readers); -1 when unknown
     * @since 2.3
     */
    default long queuedMessages() {
        return -1;
    }
}
