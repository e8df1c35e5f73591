package io.edgeport.broker.engine;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a running {@link Engine} asks its user: every connect, publish, subscribe and delivery decision, and what it
 * reports (connects, disconnects and, while {@link Engine#observePublishes(boolean) observed}, accepted messages).
 * Given once to {@link EngineFactory#start}; an implementation that wants to change its answers at runtime delegates
 * to whatever is current.
 *
 * <p>Threading: every method is called on the engine's I/O threads, concurrently for different clients. The
 * {@code may...} questions are asked for every packet and must answer fast; {@link #authenticate} may take a moment
 * (it holds that client's connection, and others on the same thread) but must be bounded by its implementation. A
 * method that throws counts as "no" (the engine logs it once) and never breaks the engine.
 *
 * <p>The {@code identity} passed to the questions is what {@link #authenticate} accepted the client as; for a client
 * that was not asked about (it sent no username and anonymous clients are allowed) it is its username, usually null.
 *
 * @since 1.0
 */
@ConsumerType
public interface EngineHooks {

    /**
     * Decides a CONNECT that carries a username (one without is accepted only when
     * {@link EngineSettings#allowAnonymous()}, and its Last Will is checked with {@link #mayLeaveWill}).
     * The engine itself has already refused Last Wills on {@code $} topics. A refused client gets CONNACK 5 (not
     * authorized).
     */
    ConnectDecision authenticate(ConnectInfo connect);

    /** Whether a client without username may connect with a Last Will on {@code willTopic} (never a {@code $} topic). */
    boolean mayLeaveWill(String clientId, String willTopic);

    /**
     * Whether a PUBLISH from the client is delivered. A refused one is still acknowledged (as Mosquitto does), then
     * dropped and counted in {@link EngineCounters#publishDropped()}.
     */
    boolean mayPublish(String clientId, String identity, String topic);

    /** Whether a SUBSCRIBE to {@code filter} is granted; a refused filter gets return code 0x80 in the SUBACK. */
    boolean maySubscribe(String clientId, String identity, String filter);

    /** Whether a message on {@code topic} may be delivered to the client (asked for every delivery). */
    boolean mayReceive(String clientId, String identity, String topic);

    /** A client is connected (its CONNECT was accepted). */
    default void onConnected(String clientId, boolean cleanSession) {
    }

    /** A client's connection ended (DISCONNECT, network or protocol error, taken over by a new connection). */
    default void onDisconnected(String clientId) {
    }

    /**
     * A message was accepted for delivery; only while {@link Engine#observePublishes(boolean)} is on. Must not block:
     * hand it over to a queue.
     */
    default void onPublish(EngineMessage message) {
    }
}
