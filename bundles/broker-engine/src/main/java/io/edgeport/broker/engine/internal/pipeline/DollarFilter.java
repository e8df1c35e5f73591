package io.edgeport.broker.engine.internal.pipeline;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.ReferenceCountUtil;

/**
 * Drops outbound messages the client must not get: those its receive policy refuses (Mosquitto checks read access
 * for every delivered message, not only at SUBSCRIBE), and {@code $} topics for wildcard subscribers (MQTT-4.7.2-1: a filter starting with {@code #} or {@code +}
 * never matches a topic starting with {@code $}); Moquette 0.17 delivers {@code $SYS/...} to a {@code #} subscriber.
 *
 * <p>It learns the client's granted filters from SUBSCRIBE and the matching SUBACK (0x80 entries are not granted) and
 * forgets them on UNSUBSCRIBE. An outbound PUBLISH on a {@code $} topic is passed only if one of those filters matches
 * it according to {@code matcher}, which must implement 4.7.2-1 itself. A dropped QoS 1 message is acknowledged to
 * Moquette with a synthetic inbound PUBACK; a dropped QoS 2 message with a PUBREC, then the PUBREL Moquette answers is
 * swallowed and a PUBCOMP is fed back, so Moquette's inflight window neither fills up nor resends it.
 *
 * <p>Filters of persistent sessions are kept per client id in {@link Shared}, so they survive a reconnect; they do not
 * survive a broker restart (Moquette restores the subscription from its store, this handler does not know it: the
 * client must subscribe again to receive {@code $} topics). One instance per channel, created with
 * {@link Shared#newHandler()}; in {@link ChannelPipelines} only {@code retainedFlags} (which wants to see those acks)
 * sits between it and Moquette's handler, so the synthetic acks reach only Moquette.
 * All methods run on the channel's event loop.
 */
public final class DollarFilter extends ChannelDuplexHandler {

    /** Whether a client may receive a message on a topic (Mosquitto's per-delivery read check). */
    @FunctionalInterface
    public interface ReceivePolicy {
        ReceivePolicy ALLOW_ALL = (clientId, username, topic) -> true;

        boolean mayReceive(String clientId, String username, String topic);
    }

    /** Filters of persistent sessions, by client id, the topic matcher and the receive policy. */
    public static final class Shared {
        private final BiPredicate<String, String> matcher;
        private final ReceivePolicy receivePolicy;
        private final Map<String, Set<String>> filtersByClient = new ConcurrentHashMap<>();

        /** @param matcher (filter, topic) → whether the filter matches the topic, honouring MQTT-4.7.2-1 */
        public Shared(BiPredicate<String, String> matcher) {
            this(matcher, ReceivePolicy.ALLOW_ALL);
        }

        /** @param receivePolicy asked for every outbound PUBLISH; a refused message is dropped like a $ one */
        public Shared(BiPredicate<String, String> matcher, ReceivePolicy receivePolicy) {
            this.matcher = matcher;
            this.receivePolicy = receivePolicy;
        }

        public DollarFilter newHandler() {
            return new DollarFilter(this);
        }

        Set<String> filters(String clientId, boolean clean) {
            if (clean) {
                filtersByClient.remove(clientId);
                return ConcurrentHashMap.newKeySet();
            }
            return filtersByClient.computeIfAbsent(clientId, k -> ConcurrentHashMap.newKeySet());
        }
    }

    private final Shared shared;
    private Set<String> filters = ConcurrentHashMap.newKeySet();
    /** SUBSCRIBE packet id → requested filters, until the SUBACK. */
    private final Map<Integer, List<String>> pendingSubscribes = new HashMap<>();
    /** Outbound QoS 2 ids dropped here whose PUBREL must be swallowed. */
    private final Set<Integer> droppedQos2 = new HashSet<>();
    private long dropped;
    private boolean refusalLogged;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DollarFilter.class);
    private String clientId = "";
    private String username;

    DollarFilter(Shared shared) {
        this.shared = shared;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof MqttConnectMessage) {
            MqttConnectMessage c = (MqttConnectMessage) msg;
            String id = c.payload().clientIdentifier();
            clientId = id == null ? "" : id;
            username = c.variableHeader().hasUserName() ? c.payload().userName() : null;
            if (id != null && !id.isEmpty()) {
                filters = shared.filters(id, c.variableHeader().isCleanSession());
            }
        } else if (msg instanceof MqttSubscribeMessage) {
            MqttSubscribeMessage s = (MqttSubscribeMessage) msg;
            pendingSubscribes.put(s.variableHeader().messageId(),
                    s.payload().topicSubscriptions().stream().map(MqttTopicSubscription::topicName).toList());
        } else if (msg instanceof MqttUnsubscribeMessage) {
            filters.removeAll(((MqttUnsubscribeMessage) msg).payload().topics());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof MqttSubAckMessage) {
            granted((MqttSubAckMessage) msg);
        } else if (msg instanceof MqttPublishMessage) {
            MqttPublishMessage p = (MqttPublishMessage) msg;
            String topic = p.variableHeader().topicName();
            boolean dollar = topic.startsWith("$") && !wanted(topic);
            if (dollar || !mayReceive(topic)) {
                if (!dollar && p.fixedHeader().qosLevel() != MqttQoS.AT_MOST_ONCE && !refusalLogged) {
                    refusalLogged = true; // one line per connection: what a client may not read is not delivered
                    LOG.info("Client '{}': a QoS {} message on '{}' was not delivered: the receive policy refused it"
                            + " (further refusals on this connection are not logged)",
                            clientId.isEmpty() ? String.valueOf(ctx.channel().remoteAddress()) : clientId,
                            p.fixedHeader().qosLevel().value(), topic);
                }
                drop(ctx, p, promise);
                return;
            }
        } else if (msg instanceof MqttMessage && PublishGuard.isType((MqttMessage) msg, MqttMessageType.PUBREL)) {
            int id = PublishGuard.packetId((MqttMessage) msg);
            if (droppedQos2.remove(id)) {
                ReferenceCountUtil.release(msg);
                promise.setSuccess();
                ctx.fireChannelRead(PublishGuard.ack(MqttMessageType.PUBCOMP, id));
                return;
            }
        }
        ctx.write(msg, promise);
    }

    private void granted(MqttSubAckMessage ack) {
        List<String> requested = pendingSubscribes.remove(ack.variableHeader().messageId());
        if (requested == null) {
            return;
        }
        List<Integer> codes = ack.payload().grantedQoSLevels();
        for (int i = 0; i < requested.size() && i < codes.size(); i++) {
            if (codes.get(i) < 0x80) {
                filters.add(requested.get(i));
            }
        }
    }

    private boolean mayReceive(String topic) {
        try {
            return shared.receivePolicy.mayReceive(clientId, username, topic);
        } catch (RuntimeException e) {
            return false; // a failing policy denies, it never breaks the connection
        }
    }

    private boolean wanted(String topic) {
        for (String f : filters) {
            if (!f.startsWith("#") && !f.startsWith("+") && shared.matcher.test(f, topic)) {
                return true;
            }
        }
        return false;
    }

    private void drop(ChannelHandlerContext ctx, MqttPublishMessage p, ChannelPromise promise) {
        dropped++;
        MqttQoS qos = p.fixedHeader().qosLevel();
        int id = p.variableHeader().packetId();
        p.release();
        promise.setSuccess();
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            ctx.fireChannelRead(PublishGuard.ack(MqttMessageType.PUBACK, id));
        } else if (qos == MqttQoS.EXACTLY_ONCE) {
            droppedQos2.add(id);
            ctx.fireChannelRead(PublishGuard.ack(MqttMessageType.PUBREC, id));
        }
    }

    /** @return outbound $ messages dropped on this channel */
    long dropped() {
        return dropped;
    }
}
