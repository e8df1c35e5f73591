package io.edgeport.broker.engine.internal.pipeline;

import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.AttributeKey;

/**
 * Sets RETAIN=1 on the QoS 1/2 retained copies {@link EdgeportPostOffice} replays after a SUBACK: Moquette 0.17's
 * session always builds them with RETAIN=0 (MQTT-3.3.1-8 wants 1), and assigns their packet ids only when it sends
 * them, possibly later (in-flight window full), so they cannot be marked where they are created.
 *
 * <p>How: {@link EdgeportPostOffice} announces each copy with {@link #expect} on the session loop just before handing
 * it to the session. Moquette sends one session's QoS 1/2 messages in the order it was given them, so the announced
 * copies leave in announcement order; an outbound QoS 1/2 PUBLISH equal to the oldest announced one (topic, QoS,
 * payload) is that copy and gets RETAIN=1; others pass unchanged. Its packet id is remembered until the client's
 * PUBACK/PUBREC, so Moquette's DUP resends of it keep RETAIN=1 too. QoS 0 copies already carry RETAIN=1.
 *
 * <p>Limits: a live message identical to a pending retained copy and sent before it (possible only when both are
 * queued, and then it is the same message) may take the flag instead of it; copies still queued when the connection
 * closes go out on the next connection with RETAIN=0; if Moquette drops a copy's first write (channel not writable,
 * {@code sendIfWritableElseDrop}), copies announced after it go out unmarked until its DUP resend arrives here.
 *
 * <p>One instance per channel, the innermost handler before Moquette's {@code handler} (it must see every PUBLISH
 * Moquette writes, including those an outer handler drops). {@link #expect} may be called from any thread; the rest
 * runs on the channel's event loop.
 */
public final class RetainedFlagHandler extends ChannelDuplexHandler {

    /** Where {@link EdgeportPostOffice} finds the handler of a connection. */
    public static final AttributeKey<RetainedFlagHandler> KEY = AttributeKey.valueOf(RetainedFlagHandler.class, "flags");

    private static final class Expected {
        final String topic;
        final MqttQoS qos;
        final byte[] payload;

        Expected(String topic, MqttQoS qos, byte[] payload) {
            this.topic = topic;
            this.qos = qos;
            this.payload = payload;
        }

        boolean matches(MqttPublishMessage p) {
            return qos == p.fixedHeader().qosLevel() && topic.equals(p.variableHeader().topicName())
                    && Unpooled.wrappedBuffer(payload).equals(p.content());
        }
    }

    private final Queue<Expected> expected = new ConcurrentLinkedQueue<>();
    /** Packet ids of retained copies sent and not yet acknowledged (PUBACK or PUBREC). */
    private final Set<Integer> unacked = new HashSet<>();

    /** Announces a retained copy at QoS 1 or 2 that the session is about to send on this connection. */
    public void expect(String topic, MqttQoS qos, byte[] payload) {
        expected.add(new Expected(topic, qos, payload));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().attr(KEY).set(this);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof MqttPublishMessage
                && ((MqttPublishMessage) msg).fixedHeader().qosLevel() != MqttQoS.AT_MOST_ONCE) {
            MqttPublishMessage p = (MqttPublishMessage) msg;
            int id = p.variableHeader().packetId();
            boolean retained;
            if (p.fixedHeader().isDup() && unacked.contains(id)) {
                retained = true;
            } else {
                Expected next = expected.peek();
                retained = next != null && next.matches(p);
                if (retained) {
                    expected.poll();
                    unacked.add(id);
                } else {
                    unacked.remove(id); // Moquette reused the id: what it named is gone
                }
            }
            if (retained && !p.fixedHeader().isRetain()) {
                MqttFixedHeader h = p.fixedHeader();
                msg = new MqttPublishMessage(new MqttFixedHeader(h.messageType(), h.isDup(), h.qosLevel(), true,
                        h.remainingLength()), p.variableHeader(), p.content());
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!unacked.isEmpty() && msg instanceof MqttMessage && ((MqttMessage) msg).fixedHeader() != null) {
            MqttMessageType type = ((MqttMessage) msg).fixedHeader().messageType();
            if ((type == MqttMessageType.PUBACK || type == MqttMessageType.PUBREC)
                    && ((MqttMessage) msg).variableHeader() instanceof MqttMessageIdVariableHeader) {
                unacked.remove(((MqttMessageIdVariableHeader) ((MqttMessage) msg).variableHeader()).messageId());
            }
        }
        ctx.fireChannelRead(msg);
    }
}
