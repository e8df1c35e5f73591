package io.edgeport.broker.engine.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.LoggerFactory;

import io.edgeport.broker.engine.EngineMessage;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;
import io.moquette.interception.messages.InterceptConnectionLostMessage;
import io.moquette.interception.messages.InterceptDisconnectMessage;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.ByteBuf;

/**
 * Moquette's events, told to the {@link io.edgeport.broker.engine.EngineHooks}: connects, disconnects and (through
 * {@link #publishTap()}, registered only while publishes are observed) accepted messages; and the bookkeeping of
 * offline persistent sessions for the counters. Moquette calls it inline on the I/O threads (see
 * {@code MoquetteInternals.runInterceptorsInline}), in the order it accepted the events.
 */
final class EngineEvents extends AbstractInterceptHandler {

    /** Client id the engine uses for its own publishes (internalPublish), shown as "" to the hooks. */
    static final String ENGINE_CLIENT = "$edgeport";

    private final HookBridge bridge;
    private final Map<String, Boolean> cleanSession = new ConcurrentHashMap<>();
    /** Persistent sessions whose client is offline (Mosquitto's clients/disconnected). */
    private final Set<String> offlinePersistent = ConcurrentHashMap.newKeySet();

    EngineEvents(HookBridge bridge) {
        this.bridge = bridge;
    }

    @Override
    public String getID() {
        return "edgeport-events";
    }

    /**
     * Everything but publishes: Moquette hands every publish to each interested handler (a payload copy per message,
     * ~10 % of the broker's CPU at full speed). Publishes go to {@link #publishTap()}, registered only while wanted.
     */
    @Override
    public Class<?>[] getInterceptedMessageTypes() {
        return Arrays.stream(ALL_MESSAGE_TYPES).filter(c -> c != InterceptPublishMessage.class)
                .toArray(Class<?>[]::new);
    }

    /** The handler that feeds publishes to {@code onPublish}; register it only while publishes are observed. */
    AbstractInterceptHandler publishTap() {
        return tap;
    }

    private final AbstractInterceptHandler tap = new AbstractInterceptHandler() {
        @Override
        public String getID() {
            return "edgeport-observers";
        }

        @Override
        public Class<?>[] getInterceptedMessageTypes() {
            return new Class<?>[] {InterceptPublishMessage.class};
        }

        @Override
        public void onPublish(InterceptPublishMessage msg) {
            EngineEvents.this.onPublish(msg);
        }

        @Override
        public void onSessionLoopError(Throwable error) {
            // reported by EngineEvents
        }
    };

    @Override
    public void onSessionLoopError(Throwable error) {
        LoggerFactory.getLogger(EngineEvents.class).warn("Moquette session loop error", error);
    }

    @Override
    public void onConnect(InterceptConnectMessage msg) {
        cleanSession.put(msg.getClientID(), msg.isCleanSession());
        offlinePersistent.remove(msg.getClientID());
        try {
            bridge.hooks().onConnected(msg.getClientID(), msg.isCleanSession());
        } catch (RuntimeException | LinkageError e) {
            bridge.failed("onConnected", e);
        }
    }

    @Override
    public void onDisconnect(InterceptDisconnectMessage msg) {
        gone(msg.getClientID());
    }

    @Override
    public void onConnectionLost(InterceptConnectionLostMessage msg) {
        gone(msg.getClientID());
    }

    private void gone(String clientId) {
        bridge.forget(clientId);
        Boolean clean = cleanSession.remove(clientId);
        if (clean != null && !clean) {
            offlinePersistent.add(clientId);
        }
        try {
            bridge.hooks().onDisconnected(clientId);
        } catch (RuntimeException | LinkageError e) {
            bridge.failed("onDisconnected", e);
        }
    }

    @Override
    public void onPublish(InterceptPublishMessage msg) {
        ByteBuf buf = msg.getPayload();
        try {
            byte[] payload = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), payload);
            String client = msg.getClientID();
            bridge.hooks().onPublish(new EngineMessage(msg.getTopicName(), payload, msg.getQos().value(),
                    msg.isRetainFlag(), ENGINE_CLIENT.equals(client) ? "" : client, msg.getUsername(),
                    Instant.now()));
        } catch (RuntimeException | LinkageError e) {
            bridge.failed("onPublish", e);
        } finally {
            buf.release();
        }
    }

    long offlinePersistentSessions() {
        return offlinePersistent.size();
    }
}
