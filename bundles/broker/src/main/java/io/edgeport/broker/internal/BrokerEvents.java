package io.edgeport.broker.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.edgeport.api.broker.ObservedMessage;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;
import io.moquette.interception.messages.InterceptConnectionLostMessage;
import io.moquette.interception.messages.InterceptDisconnectMessage;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.moquette.interception.messages.InterceptSubscribeMessage;
import io.moquette.interception.messages.InterceptUnsubscribeMessage;
import io.netty.buffer.ByteBuf;

/**
 * Moquette interceptor: counts what Mosquitto counts for $SYS, feeds observers, and keeps client bookkeeping.
 * Moquette calls it on its single interceptor thread (we configure one), in the order it accepted the events.
 */
final class BrokerEvents extends AbstractInterceptHandler {

    /** Client id the broker uses for its own publishes (internalPublish), excluded from client counters. */
    static final String BROKER_CLIENT = "$edgeport";

    private final ObserverHub hub;
    private final AuthBridge auth;
    final AtomicLong publishReceived = new AtomicLong();
    final AtomicLong publishBytesReceived = new AtomicLong();
    /** (client, filter) pairs; cleared for a client whose clean session ends. */
    private final Map<String, Set<String>> subscriptions = new ConcurrentHashMap<>();
    private final Set<String> retainedTopics = ConcurrentHashMap.newKeySet();
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

    @Override
    public void onSessionLoopError(Throwable error) {
        org.slf4j.LoggerFactory.getLogger(BrokerEvents.class).warn("Moquette session loop error", error);
    }

    @Override
    public void onConnect(InterceptConnectMessage msg) {
        cleanSession.put(msg.getClientID(), msg.isCleanSession());
        offlinePersistent.remove(msg.getClientID());
        if (msg.isCleanSession()) {
            subscriptions.remove(msg.getClientID());
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
        auth.forget(clientId);
        Boolean clean = cleanSession.remove(clientId);
        if (clean == null || clean) {
            subscriptions.remove(clientId);
        } else {
            offlinePersistent.add(clientId);
        }
    }

    @Override
    public void onSubscribe(InterceptSubscribeMessage msg) {
        subscriptions.computeIfAbsent(msg.getClientID(), k -> ConcurrentHashMap.newKeySet()).add(msg.getTopicFilter());
    }

    @Override
    public void onUnsubscribe(InterceptUnsubscribeMessage msg) {
        Set<String> s = subscriptions.get(msg.getClientID());
        if (s != null) {
            s.remove(msg.getTopicFilter());
        }
    }

    @Override
    public void onPublish(InterceptPublishMessage msg) {
        ByteBuf buf = msg.getPayload();
        try {
            byte[] payload = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), payload);
            String topic = msg.getTopicName();
            if (msg.isRetainFlag()) {
                if (payload.length == 0) {
                    retainedTopics.remove(topic);
                } else {
                    retainedTopics.add(topic);
                }
            }
            String client = msg.getClientID();
            if (!BROKER_CLIENT.equals(client)) {
                publishReceived.incrementAndGet();
                publishBytesReceived.addAndGet(payload.length + topic.getBytes(StandardCharsets.UTF_8).length);
            }
            hub.deliver(new ObservedMessage(topic, payload, msg.getQos().value(), msg.isRetainFlag(),
                    BROKER_CLIENT.equals(client) ? "" : client, msg.getUsername(), Instant.now()));
        } finally {
            buf.release();
        }
    }

    long subscriptionCount() {
        return subscriptions.values().stream().mapToLong(Set::size).sum();
    }

    long retainedCount() {
        return retainedTopics.size();
    }

    long offlinePersistentSessions() {
        return offlinePersistent.size();
    }
}
