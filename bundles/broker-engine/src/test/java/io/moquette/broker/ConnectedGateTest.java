package io.moquette.broker;

import io.edgeport.broker.engine.internal.pipeline.ExceptionSink;
import io.edgeport.broker.engine.internal.pipeline.PeerErrors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * Packets behind a CONNECT wait, with reading paused, until the connection is marked connected; a peer lost mid-write
 * is left to ExceptionSink (counted as a peer error, closed quietly); exceptions pass ConnectedGate unchanged. (The release itself needs Moquette's connection and
 * is covered end to end by PipelinedConnectTest.)
 */
class ConnectedGateTest {

    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<Throwable> seen = new ArrayList<>();
        final List<Object> read = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            read.add(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            seen.add(cause);
        }
    }

    @Test
    void ioErrorsAreCountedAndCloseTheChannelWithoutReachingMoquette() {
        Recorder moquette = new Recorder();
        PeerErrors errors = new PeerErrors();
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectedGate(null, 10, 0), new ExceptionSink(errors), moquette);
        ch.pipeline().fireExceptionCaught(new IOException("Broken pipe"));
        assertThat(moquette.seen).isEmpty();
        assertThat(ch.isOpen()).isFalse();
        assertThat(errors.count(PeerErrors.Reason.CONNECTION_RESET)).isEqualTo(1);
    }

    @Test
    void otherErrorsStillReachMoquette() {
        Recorder moquette = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectedGate(null, 10, 0), moquette);
        ch.pipeline().fireExceptionCaught(new IllegalStateException("bug"));
        assertThat(moquette.seen).hasSize(1);
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void packetsBehindTheConnectWaitWithReadingPausedAndAreDroppedWhenNoSessionCameUp() {
        Recorder moquette = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectedGate(null, 10, 0), moquette);
        ch.writeInbound(MqttMessageBuilders.connect().clientId("early").protocolVersion(MqttVersion.MQTT_3_1_1)
                .build());
        MqttPublishMessage publish = new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttPublishVariableHeader("t", 1), Unpooled.copiedBuffer(new byte[] {1, 2, 3}));
        ch.writeInbound(publish);

        assertThat(moquette.read).hasSize(1); // the CONNECT only
        assertThat(ch.config().isAutoRead()).as("reading paused while packets wait").isFalse();
        assertThat(publish.refCnt()).isEqualTo(1);

        ch.close(); // gone before Moquette knew its client id: nothing to hand over to
        assertThat(moquette.read).hasSize(1);
        assertThat(publish.refCnt()).isZero();
    }
}
