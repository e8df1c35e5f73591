package io.edgeport.broker.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.edgeport.api.broker.ObservedMessage;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;
import io.moquette.interception.messages.InterceptConnectionLostMessage;
import io.moquette.interception.messages.InterceptDisconnectMessage;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.ByteBuf;

/**
 * Moquette interceptor: feeds observers and keeps the client bookkeeping $SYS needs (offline persistent sessions).
 * Moquette calls it on its single interceptor thread (we configure one), in the order it accepted the events.
 */
final class BrokerEvents extends AbstractInterceptHandler {

    /** Client id the broker uses for its own publishes (internalPublish), excluded from client counters. */
    static final String BROKER_CLIENT = "$edgeport";

    private final ObserverHub hub;
    private final AuthBridge auth;
    private final Map<String, Boolean> cleanSession = new ConcurrentHashMap<>();
    /** Persistent sessions whose client is offline (Mosquitto's clients/disconnected). */
    private final Set<String> offlinePersistent = ConcurrentHashMap.newKeySet();

    BrokerEvents(ObserverHub hub, AuthBridge auth) {
        this.hub = hub;
        this.auth = auth;
    }

    @Override
    public String getID() {
        return "edgeport-events";
    }

    /**
     * Everything but publishes: Moquette hands every publish to each interested handler on its interceptor thread (a
     * thread hop and a payload copy per message, ~10 % of the broker's CPU at full speed). Publishes go to
     * {@link #publishTap()}, which is registered only while some observer is.
     */
    @Override
    public Class<?>[] getInterceptedMessageTypes() {
        return java.util.Arrays.stream(ALL_MESSAGE_TYPES)
                .filter(c -> c != io.moquette.interception.messages.InterceptPublishMessage.class)
                .toArray(Class<?>[]::new);
    }

    /** The handler that feeds publishes to the observers; register it only while there are observers. */
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
            return new Class<?>[] {io.moquette.interception.messages.InterceptPublishMessage.class};
        }

        @Override
        public void onPublish(InterceptPublishMessage msg) {
            BrokerEvents.this.onPublish(msg);
        }

        @Override
        public void onSessionLoopError(Throwable error) {
            // reported by BrokerEvents
        }
    };

    @Override
    public void onSessionLoopError(Throwable error) {
        org.slf4j.LoggerFactory.getLogger(BrokerEvents.class).warn("Moquette session loop error", error);
    }

    @Override
    public void onConnect(InterceptConnectMessage msg) {
        cleanSession.put(msg.getClientID(), msg.isCleanSession());
        offlinePersistent.remove(msg.getClientID());
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
        auth.forget(clientId);
        Boolean clean = cleanSession.remove(clientId);
        if (clean != null && !clean) {
            offlinePersistent.add(clientId);
        }
    }

    @Override
    public void onPublish(InterceptPublishMessage msg) {
        ByteBuf buf = msg.getPayload();
        try {
            byte[] payload = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), payload);
            String topic = msg.getTopicName();
            String client = msg.getClientID();
            hub.deliver(new ObservedMessage(topic, payload, msg.getQos().value(), msg.isRetainFlag(),
                    BROKER_CLIENT.equals(client) ? "" : client, msg.getUsername(), Instant.now()));
        } finally {
            buf.release();
        }
    }

    long offlinePersistentSessions() {
        return offlinePersistent.size();
    }
}
