package io.edgeport.broker.engine.internal.pipeline;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;

/**
 * Polices inbound PUBLISH packets before Moquette 0.17 sees them.
 * <ul>
 * <li>Payload above {@code message_size_limit}: the client is disconnected (logged at INFO once per client id, then at
 * DEBUG). Moquette's own limit (the decoder's {@code netty.mqtt.message_size}) must be larger, or it closes first.</li>
 * <li>Topic starting with {@code $}: not delivered (clients may not publish into {@code $SYS}, MQTT 4.7.2), but
 * acknowledged so the client does not hang: PUBACK for QoS 1, PUBREC for QoS 2 and PUBCOMP on its PUBREL.</li>
 * <li>The DUP flag is cleared: Moquette 0.17 kills a session loop on a DUP=1 publish it has no failure record for
 * (the normal retransmission after a reconnect). Clearing it would make a QoS 2 retransmission deliver twice, so this
 * handler does the QoS 2 duplicate detection itself (MQTT-4.3.3-2): once Moquette has sent PUBREC for a packet id, any
 * PUBLISH with that id until the PUBREL is answered with PUBREC here and not passed on; before Moquette's PUBREC, a
 * repeat on the same connection is dropped (the PUBREC is coming). The PUBREC'd ids of a persistent session are kept
 * per client id in {@link Shared}, so retransmissions after a reconnect are caught too (not across a broker restart).</li>
 * </ul>
 *
 * <p>One instance per channel (it keeps per-connection state); create them with {@link Shared#newHandler()}. All
 * methods run on the channel's event loop. Place it after the codec, before Moquette's handler.
 */
public final class PublishGuard extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PublishGuard.class);

    /** Whether a client may publish on a topic. */
    @FunctionalInterface
    public interface WritePolicy {
        WritePolicy ALLOW_ALL = (clientId, username, topic) -> true;

        boolean mayPublish(String clientId, String username, String topic);
    }

    /** State shared by the handlers of all channels: the limit, QoS 2 ids per client id, counters. */
    public static final class Shared {
        private static final int MAX_LOGGED = 10_000;
        private final int messageSizeLimit;
        private final Map<String, Map<Integer, Boolean>> qos2ByClient = new ConcurrentHashMap<>();
        private final Set<String> logged = ConcurrentHashMap.newKeySet();
        private final LongAdder dropped = new LongAdder();
        private final LongAdder oversize = new LongAdder();

        /** @param messageSizeLimit maximum payload bytes; 0 or less = no limit */
        public Shared(int messageSizeLimit) {
            this(messageSizeLimit, WritePolicy.ALLOW_ALL);
        }

        /**
         * @param writePolicy asked for every inbound PUBLISH; a refused one is acknowledged and dropped, as Mosquitto
         *        does (Moquette would leave a refused QoS 1/2 publish unacknowledged and the client waiting)
         */
        public Shared(int messageSizeLimit, WritePolicy writePolicy) {
            this.messageSizeLimit = messageSizeLimit;
            this.writePolicy = writePolicy;
        }

        private final WritePolicy writePolicy;

        public PublishGuard newHandler() {
            return new PublishGuard(this);
        }

        /** @return PUBLISHes acknowledged and dropped: to $ topics or refused by the write policy */
        public long droppedPublishes() {
            return dropped.sum();
        }

        /** @return clients disconnected for an oversize payload */
        public long oversizeDisconnects() {
            return oversize.sum();
        }

        /** id → true when this guard owns it (a dropped $ publish), false when Moquette has PUBREC'd it */
        Map<Integer, Boolean> qos2(String clientId, boolean clean) {
            if (clean) {
                Map<Integer, Boolean> fresh = new ConcurrentHashMap<>();
                qos2ByClient.put(clientId, fresh);
                return fresh;
            }
            return qos2ByClient.computeIfAbsent(clientId, k -> new ConcurrentHashMap<>());
        }

        void release(String clientId, Map<Integer, Boolean> map, boolean clean) {
            if (clean) {
                qos2ByClient.remove(clientId, map);
            } else {
                qos2ByClient.computeIfPresent(clientId, (k, v) -> v.isEmpty() ? null : v);
            }
        }

        boolean firstLog(String clientId) {
            if (logged.size() >= MAX_LOGGED) {
                logged.clear();
            }
            return logged.add(String.valueOf(clientId));
        }
    }

    private final Shared shared;
    private String clientId;
    private String username;
    private boolean clean = true;
    /** QoS 2 ids of this connection's client; per connection until CONNECT. */
    private Map<Integer, Boolean> qos2 = new ConcurrentHashMap<>();
    /** QoS 2 ids passed to Moquette on this connection, PUBREC not yet seen. */
    private final Set<Integer> awaitingPubrec = new HashSet<>();

    PublishGuard(Shared shared) {
        this.shared = shared;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof MqttConnectMessage) {
            MqttConnectMessage c = (MqttConnectMessage) msg;
            clientId = c.payload().clientIdentifier();
            username = c.variableHeader().hasUserName() ? c.payload().userName() : null;
            clean = c.variableHeader().isCleanSession();
            if (clientId != null && !clientId.isEmpty()) {
                qos2 = shared.qos2(clientId, clean);
            }
            ctx.fireChannelRead(msg);
        } else if (msg instanceof MqttPublishMessage) {
            publish(ctx, (MqttPublishMessage) msg);
        } else if (msg instanceof MqttMessage && isType((MqttMessage) msg, MqttMessageType.PUBREL)) {
            int id = packetId((MqttMessage) msg);
            if (Boolean.TRUE.equals(qos2.remove(id))) {
                ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(ack(MqttMessageType.PUBCOMP, id));
            } else {
                qos2.remove(id);
                ctx.fireChannelRead(msg);
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void publish(ChannelHandlerContext ctx, MqttPublishMessage p) {
        int size = p.content().readableBytes();
        if (shared.messageSizeLimit > 0 && size > shared.messageSizeLimit) {
            shared.oversize.increment();
            if (shared.firstLog(clientId)) {
                LOG.info("Client '{}' disconnected: PUBLISH payload of {} bytes exceeds message_size_limit {}",
                        clientId, size, shared.messageSizeLimit);
            } else {
                LOG.debug("Client '{}' disconnected: payload {} > {}", clientId, size, shared.messageSizeLimit);
            }
            p.release();
            ctx.close();
            return;
        }
        MqttQoS qos = p.fixedHeader().qosLevel();
        int id = p.variableHeader().packetId();
        if (qos == MqttQoS.EXACTLY_ONCE && (qos2.containsKey(id) || awaitingPubrec.contains(id))) {
            // A retransmission of a QoS 2 message already accepted: acknowledge again, never deliver again.
            p.release();
            if (qos2.containsKey(id)) {
                ctx.writeAndFlush(ack(MqttMessageType.PUBREC, id));
            }
            return;
        }
        String topic = p.variableHeader().topicName();
        // A bridge's own connection state is the one $ topic a client may write, ACLs or not (no one else can).
        if (!io.edgeport.broker.engine.Topics.isOwnBridgeState(topic, clientId)
                && (topic.startsWith("$") || !mayPublish(topic))) {
            shared.dropped.increment();
            LOG.debug("Client '{}' published to '{}': dropped, $ topics are reserved", clientId,
                    p.variableHeader().topicName());
            p.release();
            if (qos == MqttQoS.AT_LEAST_ONCE) {
                ctx.writeAndFlush(ack(MqttMessageType.PUBACK, id));
            } else if (qos == MqttQoS.EXACTLY_ONCE) {
                qos2.put(id, Boolean.TRUE);
                ctx.writeAndFlush(ack(MqttMessageType.PUBREC, id));
            }
            return;
        }
        if (qos == MqttQoS.EXACTLY_ONCE) {
            awaitingPubrec.add(id);
        }
        ctx.fireChannelRead(p.fixedHeader().isDup() ? withoutDup(p) : p);
    }

    private boolean mayPublish(String topic) {
        try {
            return shared.writePolicy.mayPublish(clientId == null ? "" : clientId, username, topic);
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof MqttMessage && isType((MqttMessage) msg, MqttMessageType.PUBREC)) {
            int id = packetId((MqttMessage) msg);
            if (awaitingPubrec.remove(id)) {
                qos2.put(id, Boolean.FALSE);
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (clientId != null && !clientId.isEmpty()) {
            shared.release(clientId, qos2, clean);
        }
        ctx.fireChannelInactive();
    }

    static MqttPublishMessage withoutDup(MqttPublishMessage p) {
        MqttFixedHeader h = p.fixedHeader();
        MqttFixedHeader nh = new MqttFixedHeader(h.messageType(), false, h.qosLevel(), h.isRetain(),
                h.remainingLength());
        return new MqttPublishMessage(nh, p.variableHeader(), p.content());
    }

    static boolean isType(MqttMessage m, MqttMessageType type) {
        return m.fixedHeader() != null && m.fixedHeader().messageType() == type;
    }

    static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    /** PUBACK, PUBREC or PUBCOMP (fixed header QoS 0); PUBREL needs QoS 1 in its header. */
    static MqttMessage ack(MqttMessageType type, int id) {
        MqttQoS headerQos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return new MqttMessage(new MqttFixedHeader(type, false, headerQos, false, 2),
                MqttMessageIdVariableHeader.from(id));
    }
}
