package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.moquette.broker.EdgeportServer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;

/** CONNECTs wait while the broker does not admit clients, and go on in order once it does. */
class ConnectAdmissionTest {

    /** Stands for ConnectGuard and Moquette: records what got through (of all channels). */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Behind extends ChannelInboundHandlerAdapter {
        final List<Object> seen = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add(msg);
        }
    }

    private final ConnectAdmission.Gate gate = new ConnectAdmission.Gate(false);
    private final Behind behind = new Behind();

    private EmbeddedChannel channel(String listener) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.attr(ConnectContext.LISTENER).set(listener);
        ch.pipeline().addLast(gate.newHandler(), behind);
        return ch;
    }

    @Test
    void aConnectWaitsUntilTheGateOpensAndWhatFollowsKeepsItsPlace() {
        EmbeddedChannel ch = channel(EdgeportServer.MQTT);
        Object connect = Packets.connect("early", 30, true);
        MqttMessage ping = new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE,
                false, 0));
        ch.writeInbound(connect);
        ch.writeInbound(ping);
        ch.runPendingTasks();
        assertThat(behind.seen).isEmpty();
        assertThat(gate.waiting()).isEqualTo(1);

        gate.open();
        ch.runPendingTasks();
        assertThat(behind.seen).containsExactly(connect, ping);
        assertThat(gate.waiting()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void onceOpenConnectsPassAtOnce() {
        gate.open();
        EmbeddedChannel ch = channel(EdgeportServer.MQTT);
        Object connect = Packets.connect("late", 30, true);
        ch.writeInbound(connect);
        assertThat(behind.seen).containsExactly(connect);
        ch.finishAndReleaseAll();
    }

    @Test
    void anythingButAConnectIsNotHeld() {
        EmbeddedChannel ch = channel(EdgeportServer.MQTT);
        MqttMessage ping = new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE,
                false, 0));
        ch.writeInbound(ping);
        assertThat(behind.seen).containsExactly(ping); // Moquette refuses a packet before CONNECT itself
        ch.finishAndReleaseAll();
    }

    @Test
    void aClientThatLeavesWhileHeldIsForgottenAndNeverPassedOn() {
        EmbeddedChannel ch = channel(EdgeportServer.MQTT);
        ch.writeInbound(Packets.connect("impatient", 30, true));
        assertThat(gate.waiting()).isEqualTo(1);
        ch.close();
        assertThat(gate.waiting()).isZero();

        gate.open();
        ch.runPendingTasks();
        assertThat(behind.seen).isEmpty();
    }

    @Test
    void manyHeldConnectionsAreAllReleased() {
        List<EmbeddedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            EmbeddedChannel ch = channel(EdgeportServer.WS);
            ch.writeInbound(Packets.connect("c" + i, 30, true));
            channels.add(ch);
        }
        assertThat(gate.waiting()).isEqualTo(5);
        gate.open();
        channels.forEach(EmbeddedChannel::runPendingTasks);
        assertThat(behind.seen).hasSize(5);
        assertThat(gate.waiting()).isZero();
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }
}
