package io.edgeport.api.broker;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: register a service of this type to see every message the broker accepts from a client or from
 * {@link BrokerService#publish}. Used for metrics, live views and bridges.
 *
 * <p>Observers are called on a thread of their own, never on a broker I/O thread, in the order the broker accepted
 * the messages. Each observer has a bounded queue ({@link #QUEUE_SIZE}); when an observer falls behind, messages for
 * it are dropped and counted instead of stalling the broker. Exceptions are caught, counted and logged once.
 * Observing is not a delivery guarantee: use a persistent MQTT session when every message matters.
 */
@ConsumerType
public interface MessageObserver {

    /** Optional service property: an MQTT topic filter (String or String[]) restricting what the observer sees. */
    String TOPIC_FILTER = "edgeport.observer.topic";

    /** Optional service property: queue capacity for this observer (Integer, default 10,000). */
    String QUEUE_SIZE = "edgeport.observer.queue";

    /**
     * Called once per observed message.
     *
     * @param message the message; immutable and safe to keep
     */
    void onMessage(ObservedMessage message);
}
