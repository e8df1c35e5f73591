package io.edgeport.broker.engine.internal.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;

/**
 * Counts MQTT packets and bytes in and out, and PUBLISH packets and payload bytes in and out, for Mosquitto's
 * {@code $SYS/broker/messages/*}, {@code bytes/*} and {@code publish/messages/*}, {@code publish/bytes/*}.
 *
 * <p>Place it right after the MQTT codec: it counts decoded packets. Packet bytes are the MQTT packet size (fixed
 * header + remaining length), without TLS or WebSocket framing: inbound from the decoder's remaining length,
 * outbound computed from the message (exact for the packets a 3.1.1 broker sends). PUBLISH bytes are payload bytes,
 * as Mosquitto counts them. Outbound packets are counted when written, not when they reach the socket; packets
 * dropped by handlers nearer to Moquette's handler are not counted.
 *
 * <p>One instance serves all channels; the counters can be read from any thread at any time.
 */
@Sharable
public final class TrafficCounter extends ChannelDuplexHandler {

    private final LongAdder packetsIn = new LongAdder();
    private final LongAdder packetsOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder publishIn = new LongAdder();
    private final LongAdder publishOut = new LongAdder();
    private final LongAdder publishBytesIn = new LongAdder();
    private final LongAdder publishBytesOut = new LongAdder();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof MqttMessage && ((MqttMessage) msg).fixedHeader() != null) {
            MqttMessage m = (MqttMessage) msg;
            packetsIn.increment();
            bytesIn.add(packetSize(m.fixedHeader().remainingLength()));
            if (m instanceof MqttPublishMessage) {
                publishIn.increment();
                publishBytesIn.add(((MqttPublishMessage) m).content().readableBytes());
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof MqttMessage && ((MqttMessage) msg).fixedHeader() != null) {
            MqttMessage m = (MqttMessage) msg;
            packetsOut.increment();
            bytesOut.add(packetSize(remainingLength(m)));
            if (m instanceof MqttPublishMessage) {
                publishOut.increment();
                publishBytesOut.add(((MqttPublishMessage) m).content().readableBytes());
            }
        }
        ctx.write(msg, promise);
    }

    /** @return fixed header byte + length bytes + remaining length */
    static long packetSize(int remainingLength) {
        int lengthBytes = remainingLength < 128 ? 1 : remainingLength < 16_384 ? 2 : remainingLength < 2_097_152 ? 3 : 4;
        return 1L + lengthBytes + remainingLength;
    }

    /** The remaining length of a packet a broker sends (3.1.1 section 3). */
    static int remainingLength(MqttMessage m) {
        MqttMessageType type = m.fixedHeader().messageType();
        switch (type) {
            case PUBLISH: {
                MqttPublishMessage p = (MqttPublishMessage) m;
                int topic = p.variableHeader().topicName().getBytes(StandardCharsets.UTF_8).length;
                int id = p.fixedHeader().qosLevel().value() > 0 ? 2 : 0;
                return 2 + topic + id + p.content().readableBytes();
            }
            case CONNACK:
            case PUBACK:
            case PUBREC:
            case PUBREL:
            case PUBCOMP:
            case UNSUBACK:
                return 2;
            case SUBACK:
                return 2 + ((MqttSubAckMessage) m).payload().grantedQoSLevels().size();
            case PINGREQ:
            case PINGRESP:
            case DISCONNECT:
                return 0;
            default:
                // Packets a broker never sends (CONNECT, SUBSCRIBE, ...): trust the header.
                return m.fixedHeader().remainingLength();
        }
    }

    public long packetsReceived() {
        return packetsIn.sum();
    }

    public long packetsSent() {
        return packetsOut.sum();
    }

    public long bytesReceived() {
        return bytesIn.sum();
    }

    public long bytesSent() {
        return bytesOut.sum();
    }

    public long publishReceived() {
        return publishIn.sum();
    }

    public long publishSent() {
        return publishOut.sum();
    }

    public long publishBytesReceived() {
        return publishBytesIn.sum();
    }

    public long publishBytesSent() {
        return publishBytesOut.sum();
    }
}
