package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;

class ConnectGuardTest {

    @Test
    void keepaliveAboveMaximumIsRefusedWithIdentifierRejected() {
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectGuard(0, 60));
        ch.writeInbound(Packets.connect("c", 61, true));

        assertThat(ch.<Object>readInbound()).isNull();
        assertThat(Packets.connAckCode(ch.readOutbound()))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void zeroKeepaliveIsRefusedOnlyWhenAMaximumIsSet() {
        EmbeddedChannel limited = new EmbeddedChannel(new ConnectGuard(0, 60));
        limited.writeInbound(Packets.connect("c", 0, true));
        assertThat(Packets.connAckCode(limited.readOutbound()))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);

        EmbeddedChannel unlimited = new EmbeddedChannel(new ConnectGuard(0, ConnectGuard.NO_KEEPALIVE_LIMIT));
        unlimited.writeInbound(Packets.connect("c", 0, true));
        assertThat(unlimited.<Object>readInbound()).isInstanceOf(MqttConnectMessage.class);
        assertThat(unlimited.isOpen()).isTrue();
    }

    @Test
    void keepaliveWithinMaximumPasses() {
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectGuard(0, 60));
        ch.writeInbound(Packets.connect("c", 60, true));
        assertThat(ch.<Object>readInbound()).isInstanceOf(MqttConnectMessage.class);
        assertThat(ch.<Object>readOutbound()).isNull();
    }

    @Test
    void willOnDollarTopicIsRefusedNotAuthorized() {
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectGuard(0, 65_535));
        ch.writeInbound(Packets.connectWithWill("c", "$SYS/broker/x"));
        assertThat(ch.<Object>readInbound()).isNull();
        assertThat(Packets.connAckCode(ch.readOutbound()))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        assertThat(ch.isOpen()).isFalse();

        EmbeddedChannel ok = new EmbeddedChannel(new ConnectGuard(0, 65_535));
        ok.writeInbound(Packets.connectWithWill("c", "status/c"));
        assertThat(ok.<Object>readInbound()).isInstanceOf(MqttConnectMessage.class);
    }

    @Test
    void connectionsOverTheLimitAreClosedWithoutConnack() {
        ConnectGuard guard = new ConnectGuard(2, 65_535);
        EmbeddedChannel a = new EmbeddedChannel(guard);
        EmbeddedChannel b = new EmbeddedChannel(guard);
        EmbeddedChannel c = new EmbeddedChannel(guard);
        a.writeInbound(Packets.connect("a", 30, true));
        b.writeInbound(Packets.connect("b", 30, true));
        c.writeInbound(Packets.connect("c", 30, true));

        assertThat(a.<Object>readInbound()).isNotNull();
        assertThat(b.<Object>readInbound()).isNotNull();
        assertThat(c.<Object>readInbound()).isNull();
        assertThat(c.<Object>readOutbound()).isNull();
        assertThat(c.isOpen()).isFalse();
        assertThat(guard.connections()).isEqualTo(2);
        assertThat(guard.refused()).isEqualTo(1);

        a.close();
        assertThat(guard.connections()).isEqualTo(1);
        EmbeddedChannel d = new EmbeddedChannel(guard);
        d.writeInbound(Packets.connect("d", 30, true));
        assertThat(d.<Object>readInbound()).isNotNull();
        assertThat(guard.connections()).isEqualTo(2);
    }

    @Test
    void channelsThatNeverConnectDoNotCount() {
        ConnectGuard guard = new ConnectGuard(1, 65_535);
        EmbeddedChannel idle = new EmbeddedChannel(guard);
        EmbeddedChannel real = new EmbeddedChannel(guard);
        real.writeInbound(Packets.connect("r", 30, true));
        assertThat(real.<Object>readInbound()).isNotNull();
        idle.close();
        assertThat(guard.connections()).isEqualTo(1);
    }

    @Test
    void anonymousWillIsCheckedAndTheContextIsVisibleOnlyDuringTheConnect() {
        EmbeddedChannel refused = new EmbeddedChannel(new ConnectGuard(0, ConnectGuard.NO_KEEPALIVE_LIMIT,
                (client, topic) -> !topic.startsWith("alarms/")));
        refused.writeInbound(Packets.connectWithWill("dev", "alarms/dev/offline"));
        assertThat(Packets.connAckCode(refused.readOutbound()))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);

        java.util.concurrent.atomic.AtomicReference<ConnectContext> seen = new java.util.concurrent.atomic.AtomicReference<>();
        EmbeddedChannel ok = new EmbeddedChannel(new ConnectGuard(0, ConnectGuard.NO_KEEPALIVE_LIMIT,
                (client, topic) -> true), new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                        seen.set(ConnectContext.current());
                        io.netty.util.ReferenceCountUtil.release(msg);
                    }
                });
        ok.writeInbound(Packets.connectWithWill("dev", "status/dev/health"));
        assertThat(seen.get()).isNotNull();
        assertThat(seen.get().willTopic()).isEqualTo("status/dev/health");
        assertThat(seen.get().channel()).isSameAs(ok);
        assertThat(ConnectContext.current()).as("cleared after the CONNECT").isNull();
    }

    @Test
    void moquettesBadPasswordAnswerBecomesMosquittosNotAuthorised() {
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectGuard(0, ConnectGuard.NO_KEEPALIVE_LIMIT));
        ch.writeOutbound(io.netty.handler.codec.mqtt.MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD).build());
        assertThat(Packets.connAckCode(ch.readOutbound())).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        ch.writeOutbound(io.netty.handler.codec.mqtt.MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).build());
        assertThat(Packets.connAckCode(ch.readOutbound())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    }
}
