package io.edgeport.broker.engine.internal.pipeline;

import java.util.List;

import io.edgeport.broker.engine.Topics;
import io.edgeport.broker.engine.internal.pipeline.PeerErrors.Reason;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * Lets only well-formed MQTT 3.1/3.1.1 packets in a valid order past the codec: nothing behind it (Edgeport's handlers,
 * Moquette) sees a malformed or protocol-violating packet. A refused packet closes the connection, with the CONNACK
 * MQTT 3.1.1 specifies where it specifies one, and is counted and logged by {@link PeerErrors}.
 *
 * <p>Netty's {@code MqttDecoder} (4.1.140) already refuses, as a packet whose {@code decoderResult()} is a failure:
 * reserved fixed-header flag bits, QoS 3, remaining lengths beyond 4 bytes or above the decoder's limit (the largest
 * packet {@code message_size_limit} allows; the bytes are skipped, not buffered), bytes left over, invalid UTF-8 and
 * U+0000 in strings, wildcards in PUBLISH topics, packet id 0, the CONNECT reserved flag, unknown protocol name/level
 * pairs and (MQTT 3.1) client ids over 23 characters. Those become {@link Reason#MALFORMED_PACKET},
 * {@link Reason#PACKET_TOO_LARGE}, or CONNACK 0x01 ({@link Reason#BAD_PROTOCOL_VERSION}) / 0x02
 * ({@link Reason#BAD_CLIENT_ID}). This handler adds: the first packet must be a CONNECT and there is only one
 * (MQTT-3.1.0-1/-2); protocol level 3 or 4 (MQTT 5 gets CONNACK 0x01: Moquette 0.17 speaks 3.1.1 only); CONNECT flag
 * rules (will QoS/retain without a will, will QoS 3, a password without a user name); topic names (not empty; will
 * topics too) and filters (wildcards as whole levels, {@code #} last); SUBSCRIBE/UNSUBSCRIBE with at least one filter
 * and 3.1.1's reserved subscription option bits; DUP=0 at QoS 0; and no packets only a server sends.
 *
 * <p>Place it right behind the codec. One instance per channel (it remembers whether CONNECT was seen); runs on the
 * channel's event loop. After a refusal everything else read on the channel is released unseen.
 */
public final class PacketValidator extends ChannelInboundHandlerAdapter {

    /** Netty's codec keeps the protocol version of the channel here ({@code MqttCodecUtil.MQTT_VERSION_KEY}). */
    private static final AttributeKey<MqttVersion> MQTT_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private final PeerErrors errors;
    private boolean connected;
    private boolean refused;

    public PacketValidator(PeerErrors errors) {
        this.errors = errors;
    }

    /** @return whether a valid CONNECT passed on this channel (timeouts after it are keep-alive timeouts) */
    boolean connected() {
        return connected;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof MqttMessage)) {
            ctx.fireChannelRead(msg);
            return;
        }
        MqttMessage m = (MqttMessage) msg;
        String problem;
        if (m.decoderResult().isFailure()) {
            decoderFailure(ctx, m);
            return;
        }
        MqttMessageType type = m.fixedHeader().messageType();
        if (!connected) {
            if (type != MqttMessageType.CONNECT) {
                refuse(ctx, m, Reason.NOT_CONNECT_FIRST, "first packet is " + type + ", not CONNECT", null);
                return;
            }
            MqttConnectMessage c = (MqttConnectMessage) m;
            int level = c.variableHeader().version();
            if (level != 3 && level != 4) {
                refuse(ctx, m, Reason.BAD_PROTOCOL_VERSION, "protocol level " + level + " (MQTT 3.1 and 3.1.1 only)",
                        MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
                return;
            }
            problem = connectProblem(c.variableHeader(), c.payload());
            if (problem != null) {
                refuse(ctx, m, problem.startsWith("will topic") ? Reason.BAD_TOPIC : Reason.PROTOCOL_VIOLATION,
                        problem, null);
                return;
            }
            connected = true;
            ctx.fireChannelRead(msg);
            return;
        }
        Reason reason = Reason.PROTOCOL_VIOLATION;
        switch (type) {
            case CONNECT:
                reason = Reason.SECOND_CONNECT;
                problem = "second CONNECT on the connection";
                break;
            case PUBLISH:
                problem = publishProblem((MqttPublishMessage) m);
                if (problem != null && problem.startsWith("topic")) {
                    reason = Reason.BAD_TOPIC;
                }
                break;
            case SUBSCRIBE:
                problem = subscribeProblem((MqttSubscribeMessage) m);
                break;
            case UNSUBSCRIBE:
                problem = unsubscribeProblem((MqttUnsubscribeMessage) m);
                break;
            case PUBACK:
            case PUBREC:
            case PUBREL:
            case PUBCOMP:
                problem = idProblem(m);
                break;
            case PINGREQ:
            case DISCONNECT:
                problem = null;
                break;
            default:
                problem = type + " is only sent by servers";
        }
        if (problem != null) {
            if (problem.startsWith("filter")) {
                reason = Reason.BAD_TOPIC;
            }
            refuse(ctx, m, reason, problem, null);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void decoderFailure(ChannelHandlerContext ctx, MqttMessage m) {
        Throwable cause = m.decoderResult().cause();
        MqttFixedHeader h = m.fixedHeader();
        boolean connect = !connected && h != null && h.messageType() == MqttMessageType.CONNECT;
        String detail = (h == null ? "" : h.messageType() + ": ") + cause;
        if (connect && cause instanceof MqttUnacceptableProtocolVersionException) {
            refuse(ctx, m, Reason.BAD_PROTOCOL_VERSION, detail,
                    MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
        } else if (connect && cause instanceof MqttIdentifierRejectedException) {
            refuse(ctx, m, Reason.BAD_CLIENT_ID, detail, MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
        } else if (cause instanceof TooLongFrameException) {
            refuse(ctx, m, Reason.PACKET_TOO_LARGE, detail, null);
        } else {
            refuse(ctx, m, Reason.MALFORMED_PACKET, detail, null);
        }
    }

    static String connectProblem(MqttConnectVariableHeader v, MqttConnectPayload p) {
        if (!v.isWillFlag() && (v.willQos() != 0 || v.isWillRetain())) {
            return "will QoS or will retain set without a will (MQTT-3.1.2-13/-15)";
        }
        if (v.willQos() > 2) {
            return "will QoS 3 (MQTT-3.1.2-14)";
        }
        if (v.version() == 4 && v.hasPassword() && !v.hasUserName()) {
            return "password without user name (MQTT-3.1.2-22)";
        }
        if (v.isWillFlag() && !Topics.isValidTopic(p.willTopic())) {
            return "will topic '" + p.willTopic() + "' is not a valid topic name";
        }
        return null;
    }

    static String publishProblem(MqttPublishMessage p) {
        MqttQoS qos = p.fixedHeader().qosLevel();
        if (qos == MqttQoS.AT_MOST_ONCE && p.fixedHeader().isDup()) {
            return "DUP=1 on a QoS 0 PUBLISH (MQTT-3.3.1-2)";
        }
        if (qos != MqttQoS.AT_MOST_ONCE && p.variableHeader().packetId() <= 0) {
            return "packet id 0 on a QoS " + qos.value() + " PUBLISH";
        }
        String topic = p.variableHeader().topicName();
        if (!Topics.isValidTopic(topic)) {
            return "topic '" + topic + "' is not a valid topic name";
        }
        return null;
    }

    static String subscribeProblem(MqttSubscribeMessage s) {
        if (s.variableHeader().messageId() <= 0) {
            return "packet id 0 on SUBSCRIBE";
        }
        List<MqttTopicSubscription> subs = s.payload().topicSubscriptions();
        if (subs.isEmpty()) {
            return "SUBSCRIBE without topic filters (MQTT-3.8.3-3)";
        }
        for (MqttTopicSubscription t : subs) {
            if (!Topics.isValidFilter(t.topicName())) {
                return "filter '" + t.topicName() + "' is not a valid topic filter";
            }
            MqttSubscriptionOption o = t.option();
            if (o.isNoLocal() || o.isRetainAsPublished()
                    || o.retainHandling() != MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE) {
                return "reserved bits set in the requested QoS byte (MQTT-3.8.3-4)";
            }
        }
        return null;
    }

    static String unsubscribeProblem(MqttUnsubscribeMessage u) {
        if (u.variableHeader().messageId() <= 0) {
            return "packet id 0 on UNSUBSCRIBE";
        }
        List<String> topics = u.payload().topics();
        if (topics.isEmpty()) {
            return "UNSUBSCRIBE without topic filters (MQTT-3.10.3-2)";
        }
        for (String t : topics) {
            if (!Topics.isValidFilter(t)) {
                return "filter '" + t + "' is not a valid topic filter";
            }
        }
        return null;
    }

    private static String idProblem(MqttMessage m) {
        Object v = m.variableHeader();
        if (!(v instanceof MqttMessageIdVariableHeader) || ((MqttMessageIdVariableHeader) v).messageId() <= 0) {
            return "packet id 0 on " + m.fixedHeader().messageType();
        }
        return null;
    }

    private void refuse(ChannelHandlerContext ctx, MqttMessage m, Reason reason, String detail,
                        MqttConnectReturnCode code) {
        refused = true;
        ReferenceCountUtil.release(m);
        errors.report(reason, ctx.channel(), detail);
        if (code != null) {
            // In 3.1.1's format even to an MQTT 5 client, as Mosquitto does for versions it does not speak (the decoder
            // switched the encoder to MQTT 5 when it read the CONNECT).
            ctx.channel().attr(MQTT_VERSION).set(MqttVersion.MQTT_3_1_1);
            ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }
}
