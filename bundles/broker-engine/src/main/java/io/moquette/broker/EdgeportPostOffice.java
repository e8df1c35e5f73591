package io.moquette.broker;

import io.edgeport.broker.engine.internal.pipeline.RetainedFlagHandler;
import io.edgeport.broker.engine.internal.session.ReceivedQos2;
import io.edgeport.broker.engine.internal.session.RetainedGate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.subscriptions.ISubscriptionsDirectory;
import io.moquette.broker.subscriptions.Topic;
import io.moquette.interception.BrokerInterceptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;

/**
 * Moquette 0.17's {@link PostOffice} with retained messages handled as MQTT 3.1.1 section 3.3.1.3 requires. Moquette's
 * own routing, acknowledgements and interceptor notifications are unchanged; only the retained store and the replay on
 * SUBSCRIBE are taken over (Moquette's own store access goes through a {@link RetainedGate}).
 * <ul>
 * <li>A QoS 0 PUBLISH with RETAIN=1 replaces the stored message (stored at QoS 0) or, with an empty payload, deletes
 * it; Moquette only wiped the store. The update is made synchronously on the publisher's session loop, right after
 * routing, exactly like Moquette's QoS 1/2 updates, so one client's retained publishes of any QoS take effect in the
 * order it sent them. Unauthorised publishes ({@code canWrite} false) change nothing; for a retained QoS 0 publish the
 * policy is asked twice (here and by Moquette).</li>
 * <li>The same for {@link #internalPublish} at QoS 0 (Moquette also only wiped).</li>
 * <li>A Last Will with RETAIN=1 is stored when it is published (Moquette ignored the flag).</li>
 * <li>Retained messages matching the filters a SUBSCRIBE was granted are sent in the same session-loop task, right
 * after the SUBACK, as Moquette did, but once per topic at the highest QoS the packet's matching filters grant
 * (capped by the stored QoS), never to a filter starting with a wildcard when the topic starts with {@code $}
 * (MQTT-4.7.2-1), and with RETAIN=1 at every QoS: copies at QoS 1/2 are announced to the channel's
 * {@link RetainedFlagHandler} before Moquette's session builds them (with RETAIN=0, which the handler corrects on the
 * way out).</li>
 * </ul>
 * Threading: every method is called by Moquette on a session loop (QoS 2 routing may run on the Netty thread, and
 * {@link #internalPublish} on the caller's), as in the superclass; nothing here blocks.
 *
 * <p>Why in Moquette's package (the package-private members it touches): it extends the package-private
 * {@code PostOffice} and overrides its package-private {@code receivedPublishQos0/1/2}; it uses {@code Authorizator},
 * {@code SessionEventLoopGroup}, {@code Session} ({@code sendRetainedPublishOnSessionAtQos}), {@code Session.Will}
 * (fields {@code topic}, {@code payload}, {@code qos}, {@code retained}), {@code MQTTConnection} (field
 * {@code channel}, {@code sendPubRec}) and {@code SessionRegistry.retrieve}.
 */
final class EdgeportPostOffice extends PostOffice {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeportPostOffice.class);

    private final IRetainedRepository store;
    private final RetainedGate gate;
    private final SessionRegistry sessions;
    private final Authorizator authorizator;
    /** In-process consumers' log (sinks, rules, bridges); null when there is none. */
    private final io.edgeport.broker.engine.internal.store.MessageLog messages;

    EdgeportPostOffice(ISubscriptionsDirectory subscriptions, IRetainedRepository store, RetainedGate gate,
                       SessionRegistry sessions, BrokerInterceptor interceptor, Authorizator authorizator,
                       SessionEventLoopGroup loops, io.edgeport.broker.engine.internal.store.MessageLog messages) {
        super(subscriptions, gate, sessions, interceptor, authorizator, loops);
        this.messages = messages;
        this.store = store;
        this.gate = gate;
        this.sessions = sessions;
        this.authorizator = authorizator;
    }

    /**
     * Puts an accepted message into the message log when an in-process consumer wants it: before it is routed and
     * before its acknowledgement is written, so the acknowledgement's group commit covers it. Never throws (a log
     * that cannot take it is logged; the message is still routed).
     */
    /** @return false when the message log refused the message (it cannot write: disk full) */
    private boolean log(String clientId, String topic, MqttQoS qos, boolean retain, ByteBuf payload) {
        io.edgeport.broker.engine.internal.store.MessageLog m = messages;
        if (m == null || !m.wanted(topic)) {
            return true;
        }
        try {
            return m.append(System.currentTimeMillis(), clientId, topic, qos.value(), retain, payload) >= 0;
        } catch (RuntimeException e) {
            LOG.warn("Message on '{}' not put into the message log: {}", topic, e.toString());
            return true;
        }
    }

    /**
     * A QoS 1/2 message the message log refused: it is neither routed nor acknowledged, and the connection is closed
     * (MQTT 3.1.1 has no negative acknowledgement), so the client sends it again when it reconnects.
     */
    private static RoutingResults refuse(MQTTConnection connection, MqttPublishMessage msg) {
        connection.dropConnection();
        msg.release();
        return RoutingResults.preroutingError();
    }

    @Override
    CompletableFuture<Void> receivedPublishQos0(Topic topic, String username, String clientID,
                                                MqttPublishMessage msg) {
        EventLoopSessions.publishTaken();
        log(clientID, topic.toString(), MqttQoS.AT_MOST_ONCE, msg.fixedHeader().isRetain(), msg.payload());
        if (!msg.fixedHeader().isRetain()) {
            return super.receivedPublishQos0(topic, username, clientID, msg);
        }
        byte[] payload = bytes(msg.payload()); // super releases msg, possibly before it returns
        boolean allowed;
        try {
            allowed = authorizator.canWrite(topic, username, clientID);
        } catch (RuntimeException e) {
            allowed = false; // super asks again and, if the policy throws again, fails as Moquette does
        }
        CompletableFuture<Void> routed = super.receivedPublishQos0(topic, username, clientID, msg);
        if (allowed && topic.isValid()) {
            store(topic, MqttQoS.AT_MOST_ONCE, payload);
        }
        return routed;
    }

    @Override
    RoutingResults receivedPublishQos1(MQTTConnection connection, Topic topic, String username, int messageID,
                                       MqttPublishMessage msg) {
        EventLoopSessions.publishTaken();
        if (!log(connection.getClientId(), topic.toString(), MqttQoS.AT_LEAST_ONCE, msg.fixedHeader().isRetain(),
                msg.payload())) {
            return refuse(connection, msg);
        }
        return gate.allowWrites(() -> super.receivedPublishQos1(connection, topic, username, messageID, msg));
    }

    @Override
    RoutingResults receivedPublishQos2(MQTTConnection connection, MqttPublishMessage msg, String username) {
        Session session = MoquetteInternals.boundSession(connection);
        ReceivedQos2 received = session == null ? null : MoquetteInternals.receivedQos2(session);
        int packetId = msg.variableHeader().packetId();
        if (received != null && received.takeDuplicate(packetId)) {
            // a resend of a message already routed: answer it, route nothing (exactly once)
            connection.sendPubRec(packetId);
            msg.release();
            return new RoutingResults(List.of(), List.of(), CompletableFuture.completedFuture(null));
        }
        if (!log(connection.getClientId(), msg.variableHeader().topicName(), MqttQoS.EXACTLY_ONCE,
                msg.fixedHeader().isRetain(), msg.payload())) {
            if (received != null) {
                // not received after all: its resend must be routed, not taken as a repeat; the session held a
                // reference to the message (released at PUBREL otherwise)
                io.netty.util.ReferenceCountUtil.release(received.remove(packetId));
            }
            return refuse(connection, msg);
        }
        return gate.allowWrites(() -> super.receivedPublishQos2(connection, msg, username));
    }

    @Override
    public RoutingResults internalPublish(MqttPublishMessage msg) {
        return internalPublish(msg, "");
    }

    /**
     * {@link #internalPublish(MqttPublishMessage)} with the client id the message log records for it ({@code origin}:
     * "" for the broker itself, or a component's name that its own consumer recognises, as a bridge does).
     */
    RoutingResults internalPublish(MqttPublishMessage msg, String origin) {
        log(origin, msg.variableHeader().topicName(), msg.fixedHeader().qosLevel(), msg.fixedHeader().isRetain(),
                msg.payload());
        if (msg.fixedHeader().isRetain() && msg.fixedHeader().qosLevel() == MqttQoS.AT_MOST_ONCE) {
            Topic topic = new Topic(msg.variableHeader().topicName());
            byte[] payload = bytes(msg.payload());
            RoutingResults routed = super.internalPublish(msg); // its wipe is dropped by the gate
            store(topic, MqttQoS.AT_MOST_ONCE, payload);
            return routed;
        }
        return gate.allowWrites(() -> super.internalPublish(msg));
    }

    @Override
    public void fireWill(Session.Will will) {
        log("", will.topic, will.qos, will.retained, will.payload);
        byte[] payload = will.retained ? bytes(will.payload) : null;
        super.fireWill(will);
        if (payload != null) {
            store(new Topic(will.topic), will.qos, payload);
        }
    }

    @Override
    public void subscribeClientToTopics(MqttSubscribeMessage msg, String clientID, String username,
                                        MQTTConnection connection) {
        List<String> granted = gate.captureReads(
                () -> super.subscribeClientToTopics(msg, clientID, username, connection));
        if (!granted.isEmpty()) {
            sendRetained(msg, clientID, connection, granted);
        }
    }

    /** A retained message chosen for replay and the QoS to send it at. */
    private static final class Replay {
        final RetainedMessage message;
        final MqttQoS qos;

        Replay(RetainedMessage message, MqttQoS qos) {
            this.message = message;
            this.qos = qos;
        }
    }

    private void sendRetained(MqttSubscribeMessage msg, String clientID, MQTTConnection connection,
                              List<String> granted) {
        Map<String, MqttQoS> requested = new HashMap<>();
        for (MqttTopicSubscription s : msg.payload().topicSubscriptions()) {
            requested.put(new Topic(s.topicName()).toString(), s.qualityOfService()); // a repeated filter: last wins
        }
        Map<String, Replay> replays = new LinkedHashMap<>();
        for (String filter : granted) {
            MqttQoS grantedQos = requested.getOrDefault(filter, MqttQoS.AT_MOST_ONCE);
            boolean wildcardRoot = filter.startsWith("#") || filter.startsWith("+");
            List<RetainedMessage> matches;
            try {
                matches = store.retainedOnTopic(filter);
            } catch (RuntimeException e) {
                LOG.warn("Cannot read retained messages for filter '{}' of client '{}'", filter, clientID, e);
                continue;
            }
            for (RetainedMessage m : matches) {
                String topic = m.getTopic().toString();
                if (wildcardRoot && topic.startsWith("$")) {
                    continue;
                }
                MqttQoS qos = m.qosLevel().value() < grantedQos.value() ? m.qosLevel() : grantedQos;
                replays.merge(topic, new Replay(m, qos), (a, b) -> b.qos.value() > a.qos.value() ? b : a);
            }
        }
        Session session = sessions.retrieve(clientID);
        if (session == null || replays.isEmpty()) {
            return;
        }
        RetainedFlagHandler flags = connection.channel.attr(RetainedFlagHandler.KEY).get();
        for (Replay r : replays.values()) {
            byte[] payload = r.message.getPayload();
            if (r.qos != MqttQoS.AT_MOST_ONCE && flags != null) {
                flags.expect(r.message.getTopic().toString(), r.qos, payload);
            }
            ByteBuf buf = Unpooled.wrappedBuffer(payload);
            try {
                session.sendRetainedPublishOnSessionAtQos(r.message.getTopic(), r.qos, buf);
            } finally {
                buf.release(); // the session retains what it keeps
            }
        }
    }

    /** Replaces the retained message on {@code topic}, or deletes it when {@code payload} is empty. */
    private void store(Topic topic, MqttQoS qos, byte[] payload) {
        try {
            if (payload.length == 0) {
                store.cleanRetained(topic);
            } else {
                store.retain(topic, new MqttPublishMessage(
                        new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, true, 0),
                        new MqttPublishVariableHeader(topic.toString(), 0), Unpooled.wrappedBuffer(payload)));
            }
        } catch (RuntimeException e) {
            // never let a store failure kill a session loop
            LOG.warn("Cannot update the retained message of topic '{}'", topic, e);
        }
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return b;
    }
}
