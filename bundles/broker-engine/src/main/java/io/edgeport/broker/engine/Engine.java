package io.edgeport.broker.engine;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One running MQTT engine, started by {@link EngineFactory#start}. Thread-safe; not reusable after {@link #close()}.
 *
 * @since 1.0
 */
@ProviderType
public interface Engine extends AutoCloseable {

    /**
     * Lets CONNECTs through. An engine started with {@link EngineSettings#admitClients()} false holds every CONNECT
     * on its client listeners (the connection stays open, the client waits for its CONNACK) until this is called;
     * then the held ones go on in order. Idempotent; no effect after {@link #close()}.
     */
    void admitClients();

    /** @return the port a listener is bound to (the real one when configured as 0), or -1 when it is not bound */
    int boundPort(Listener listener);

    /**
     * @return the client listeners as URIs ({@code mqtt://host:port}, {@code mqtts://}, {@code ws://host:port/path},
     *         {@code wss://}), in that order, with their bound ports. Empty once closed.
     */
    List<String> listeners();

    /**
     * Publishes as the engine itself: no hook is asked, subscribers get it like any message.
     *
     * @param payload not kept (copied)
     * @param qos 0, 1 or 2
     * @throws IllegalArgumentException when the topic is not a valid topic name or the QoS is not 0, 1 or 2
     * @throws IllegalStateException when the engine is closed
     */
    void publish(String topic, byte[] payload, int qos, boolean retain);

    /**
     * {@link #publish(String, byte[], int, boolean)}, recorded in the message log with {@code origin} as its client
     * id, so that a consumer can tell its own publishes from others (a bridge does not send back what it brought in).
     *
     * @param origin "" for the engine itself
     * @since 1.3
     */
    default void publish(String topic, byte[] payload, int qos, boolean retain, String origin) {
        publish(topic, payload, qos, retain);
    }

    /**
     * Switches {@link EngineHooks#onPublish} on or off. Off (the default) costs nothing per message; on, every
     * accepted message is copied once for it.
     */
    void observePublishes(boolean on);

    /** @return the counters now; computing them scans the retained store, so call it every few seconds at most */
    EngineCounters counters();

    /** @return the clients connected now */
    List<ClientInfo> connectedClients();

    /**
     * Closes a connected client's connection (its Last Will is published); its session stays.
     *
     * @return false when no such client is connected
     */
    boolean disconnect(String clientId);

    /**
     * Stops the engine: listeners closed, clients disconnected, the store written and closed. Idempotent; never
     * throws (problems are logged).
     */
    @Override
    void close();

    /**
     * @return at most {@code limit} retained messages whose topic matches {@code topicFilter}, sorted by topic
     *         (scans the retained store: for operators, not for every message)
     * @since 1.2
     */
    default List<RetainedInfo> retained(String topicFilter, int limit) {
        return List.of();
    }

    /**
     * @param clientIdPrefix only sessions whose client id starts with it ({@code ""} for all)
     * @param limit most sessions returned
     * @return sessions, online and offline, sorted by client id (for operators: it looks at every session)
     * @since 1.3
     */
    default List<SessionInfo> sessions(String clientIdPrefix, int limit) {
        return List.of();
    }

    /**
     * Deletes a session: its client is disconnected if connected (no Will), its subscriptions, queued and in-flight
     * messages are discarded. The client's next CONNECT starts afresh.
     *
     * @return false when there is no session of that client id
     * @since 1.3
     */
    default boolean deleteSession(String clientId) {
        return false;
    }

    /**
     * @return QoS 1/2 messages queued for sessions now (offline persistent sessions and slow clients), -1 if unknown
     * @since 1.3
     */
    default long queuedMessages() {
        return -1;
    }
}
