package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.util.ReferenceCountUtil;

class TrafficCounterTest {

    private final TrafficCounter counter = new TrafficCounter();
    private final EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder(), MqttEncoder.INSTANCE, counter);

    @Test
    void countsInboundPacketsAndWireBytes() {
        ByteBuf connect = Packets.encode(Packets.connect("c1", 30, true));
        ByteBuf publish = Packets.encode(Packets.publish("a/b", MqttQoS.AT_LEAST_ONCE, 1, false, 300));
        long wire = connect.readableBytes() + publish.readableBytes();

        ch.writeInbound(connect, publish);
        drainInbound();

        assertThat(counter.packetsReceived()).isEqualTo(2);
        assertThat(counter.bytesReceived()).isEqualTo(wire);
        assertThat(counter.publishReceived()).isEqualTo(1);
        assertThat(counter.publishBytesReceived()).isEqualTo(300);
        assertThat(counter.packetsSent()).isZero();
    }

    @Test
    void countsOutboundPacketsWithTheirEncodedSize() {
        ch.writeOutbound(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).build(),
                Packets.publish("$SYS/broker/uptime", MqttQoS.AT_MOST_ONCE, 0, false, 20_000),
                Packets.publish("t", MqttQoS.EXACTLY_ONCE, 9, false, 5),
                Packets.ack(MqttMessageType.PUBREL, 9),
                MqttMessageBuilders.subAck().packetId(3).addGrantedQoses(MqttQoS.AT_LEAST_ONCE, MqttQoS.FAILURE)
                        .build());
        long wire = 0;
        for (Object o; (o = ch.readOutbound()) != null; ) {
            wire += ((ByteBuf) o).readableBytes();
            ReferenceCountUtil.release(o);
        }

        assertThat(counter.packetsSent()).isEqualTo(5);
        assertThat(counter.bytesSent()).isEqualTo(wire);
        assertThat(counter.publishSent()).isEqualTo(2);
        assertThat(counter.publishBytesSent()).isEqualTo(20_005);
    }

    @Test
    void isSharedAcrossChannels() {
        EmbeddedChannel other = new EmbeddedChannel(new MqttDecoder(), MqttEncoder.INSTANCE, counter);
        ch.writeInbound(Packets.encode(Packets.connect("a", 30, true)));
        other.writeInbound(Packets.encode(Packets.connect("b", 30, true)));
        drainInbound();
        other.finishAndReleaseAll();
        assertThat(counter.packetsReceived()).isEqualTo(2);
    }

    private void drainInbound() {
        for (Object o; (o = ch.readInbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
    }
}
