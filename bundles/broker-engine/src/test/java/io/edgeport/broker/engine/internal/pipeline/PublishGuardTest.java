package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;

class PublishGuardTest {

    private final PublishGuard.Shared shared = new PublishGuard.Shared(1000);

    private EmbeddedChannel connected(String clientId, boolean clean) {
        EmbeddedChannel ch = new EmbeddedChannel(shared.newHandler());
        ch.writeInbound(Packets.connect(clientId, 30, clean));
        assertThat(ch.<Object>readInbound()).isNotNull();
        return ch;
    }

    @Test
    void oversizePayloadDisconnects() {
        EmbeddedChannel ch = connected("c", true);
        MqttPublishMessage big = Packets.publish("a", MqttQoS.AT_LEAST_ONCE, 1, false, 1001);
        ch.writeInbound(big);

        assertThat(ch.<Object>readInbound()).isNull();
        assertThat(ch.isOpen()).isFalse();
        assertThat(big.refCnt()).isZero();
        assertThat(shared.oversizeDisconnects()).isEqualTo(1);
    }

    @Test
    void payloadAtTheLimitPasses() {
        EmbeddedChannel ch = connected("c", true);
        ch.writeInbound(Packets.publish("a", MqttQoS.AT_MOST_ONCE, 0, false, 1000));
        Object in = ch.readInbound();
        assertThat(in).isInstanceOf(MqttPublishMessage.class);
        ReferenceCountUtil.release(in);
    }

    @Test
    void dollarPublishIsDroppedButAcknowledged() {
        EmbeddedChannel ch = connected("c", true);
        ch.writeInbound(Packets.publish("$SYS/x", MqttQoS.AT_MOST_ONCE, 0, false, 1));
        ch.writeInbound(Packets.publish("$SYS/x", MqttQoS.AT_LEAST_ONCE, 4, false, 1));
        assertThat(ch.<Object>readInbound()).isNull();
        Object puback = ch.readOutbound();
        assertThat(Packets.type(puback)).isEqualTo(MqttMessageType.PUBACK);
        assertThat(Packets.id(puback)).isEqualTo(4);

        ch.writeInbound(Packets.publish("$SYS/y", MqttQoS.EXACTLY_ONCE, 5, false, 1));
        Object pubrec = ch.readOutbound();
        assertThat(Packets.type(pubrec)).isEqualTo(MqttMessageType.PUBREC);
        assertThat(Packets.id(pubrec)).isEqualTo(5);
        ch.writeInbound(Packets.ack(MqttMessageType.PUBREL, 5));
        Object pubcomp = ch.readOutbound();
        assertThat(Packets.type(pubcomp)).isEqualTo(MqttMessageType.PUBCOMP);
        assertThat(Packets.id(pubcomp)).isEqualTo(5);
        assertThat(ch.<Object>readInbound()).as("nothing reaches Moquette").isNull();
        assertThat(shared.droppedPublishes()).isEqualTo(3);
    }

    @Test
    void dupFlagIsCleared() {
        EmbeddedChannel ch = connected("c", true);
        ch.writeInbound(Packets.publish("a", MqttQoS.AT_LEAST_ONCE, 7, true, 3));
        MqttPublishMessage in = ch.readInbound();
        assertThat(in.fixedHeader().isDup()).isFalse();
        assertThat(in.variableHeader().packetId()).isEqualTo(7);
        assertThat(in.content().readableBytes()).isEqualTo(3);
        in.release();
    }

    @Test
    void qos2RetransmissionIsAnsweredHereNotDeliveredTwice() {
        EmbeddedChannel ch = connected("c", true);
        ch.writeInbound(Packets.publish("a", MqttQoS.EXACTLY_ONCE, 9, false, 3));
        ReferenceCountUtil.release(ch.readInbound());
        // a repeat before Moquette answered: dropped silently, Moquette's PUBREC is on its way
        ch.writeInbound(Packets.publish("a", MqttQoS.EXACTLY_ONCE, 9, true, 3));
        assertThat(ch.<Object>readInbound()).isNull();
        assertThat(ch.<Object>readOutbound()).isNull();

        ch.writeOutbound(Packets.ack(MqttMessageType.PUBREC, 9)); // Moquette accepts
        assertThat(Packets.type(ch.readOutbound())).isEqualTo(MqttMessageType.PUBREC);

        ch.writeInbound(Packets.publish("a", MqttQoS.EXACTLY_ONCE, 9, true, 3));
        assertThat(ch.<Object>readInbound()).isNull();
        Object again = ch.readOutbound();
        assertThat(Packets.type(again)).isEqualTo(MqttMessageType.PUBREC);
        assertThat(Packets.id(again)).isEqualTo(9);

        ch.writeInbound(Packets.ack(MqttMessageType.PUBREL, 9));
        assertThat(Packets.type(ch.readInbound())).as("PUBREL goes to Moquette").isEqualTo(MqttMessageType.PUBREL);

        ch.writeInbound(Packets.publish("a", MqttQoS.EXACTLY_ONCE, 9, false, 3));
        Object reused = ch.readInbound();
        assertThat(reused).as("id free again after PUBREL").isInstanceOf(MqttPublishMessage.class);
        ReferenceCountUtil.release(reused);
    }

    @Test
    void qos2StateOfPersistentSessionSurvivesReconnect() {
        EmbeddedChannel first = connected("p", false);
        first.writeInbound(Packets.publish("a", MqttQoS.EXACTLY_ONCE, 3, false, 1));
        ReferenceCountUtil.release(first.readInbound());
        first.writeOutbound(Packets.ack(MqttMessageType.PUBREC, 3));
        first.close();

        EmbeddedChannel second = connected("p", false);
        second.writeInbound(Packets.publish("a", MqttQoS.EXACTLY_ONCE, 3, true, 1));
        assertThat(second.<Object>readInbound()).isNull();
        assertThat(Packets.type(second.readOutbound())).isEqualTo(MqttMessageType.PUBREC);

        EmbeddedChannel clean = connected("p", true);
        clean.writeInbound(Packets.publish("a", MqttQoS.EXACTLY_ONCE, 3, true, 1));
        Object fresh = clean.readInbound();
        assertThat(fresh).as("a clean session forgets").isInstanceOf(MqttPublishMessage.class);
        ReferenceCountUtil.release(fresh);
    }
}
