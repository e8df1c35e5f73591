package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.Topics;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;

class DollarFilterTest {

    private final DollarFilter.Shared shared = new DollarFilter.Shared(Topics::matches);
    private int subscribeId = 100;

    private EmbeddedChannel connected(String clientId, boolean clean) {
        EmbeddedChannel ch = new EmbeddedChannel(shared.newHandler());
        ch.writeInbound(Packets.connect(clientId, 30, clean));
        ch.readInbound();
        return ch;
    }

    /** SUBSCRIBE in, SUBACK out with the given granted codes (0x80 = refused). */
    private void subscribe(EmbeddedChannel ch, String filter, MqttQoS granted) {
        int id = subscribeId++;
        ch.writeInbound(MqttMessageBuilders.subscribe().messageId(id).addSubscription(MqttQoS.EXACTLY_ONCE, filter)
                .build());
        ch.readInbound();
        ch.writeOutbound(MqttMessageBuilders.subAck().packetId(id).addGrantedQos(granted).build());
        ch.readOutbound();
    }

    @Test
    void wildcardSubscriberDoesNotGetDollarTopicsAndMoquetteGetsAPuback() {
        EmbeddedChannel ch = connected("c", true);
        subscribe(ch, "#", MqttQoS.AT_LEAST_ONCE);

        MqttPublishMessage sys = Packets.publish("$SYS/broker/uptime", MqttQoS.AT_LEAST_ONCE, 7, false, 2);
        ch.writeOutbound(sys);
        assertThat(ch.<Object>readOutbound()).isNull();
        assertThat(sys.refCnt()).isZero();
        Object ack = ch.readInbound();
        assertThat(Packets.type(ack)).isEqualTo(MqttMessageType.PUBACK);
        assertThat(Packets.id(ack)).isEqualTo(7);

        ch.writeOutbound(Packets.publish("a/b", MqttQoS.AT_LEAST_ONCE, 8, false, 2));
        Object normal = ch.readOutbound();
        assertThat(normal).isInstanceOf(MqttPublishMessage.class);
        ReferenceCountUtil.release(normal);
    }

    @Test
    void droppedQos2GetsPubrecThenPubrelIsSwallowedAndPubcompFed() {
        EmbeddedChannel ch = connected("c", true);
        subscribe(ch, "+/broker/#", MqttQoS.EXACTLY_ONCE);

        ch.writeOutbound(Packets.publish("$SYS/broker/x", MqttQoS.EXACTLY_ONCE, 11, false, 1));
        assertThat(ch.<Object>readOutbound()).isNull();
        assertThat(Packets.type(ch.readInbound())).isEqualTo(MqttMessageType.PUBREC);

        ch.writeOutbound(Packets.ack(MqttMessageType.PUBREL, 11)); // Moquette's answer
        assertThat(ch.<Object>readOutbound()).as("client never sees it").isNull();
        Object comp = ch.readInbound();
        assertThat(Packets.type(comp)).isEqualTo(MqttMessageType.PUBCOMP);
        assertThat(Packets.id(comp)).isEqualTo(11);

        ch.writeOutbound(Packets.ack(MqttMessageType.PUBREL, 12)); // someone else's
        assertThat(Packets.type(ch.readOutbound())).isEqualTo(MqttMessageType.PUBREL);
    }

    @Test
    void explicitDollarSubscriptionReceives() {
        EmbeddedChannel ch = connected("c", true);
        subscribe(ch, "$SYS/#", MqttQoS.AT_MOST_ONCE);
        ch.writeOutbound(Packets.publish("$SYS/broker/uptime", MqttQoS.AT_MOST_ONCE, 0, false, 1));
        Object out = ch.readOutbound();
        assertThat(out).isInstanceOf(MqttPublishMessage.class);
        ReferenceCountUtil.release(out);
    }

    @Test
    void refusedAndUnsubscribedFiltersDoNotCount() {
        EmbeddedChannel ch = connected("c", true);
        subscribe(ch, "$SYS/#", MqttQoS.FAILURE);
        ch.writeOutbound(Packets.publish("$SYS/a", MqttQoS.AT_MOST_ONCE, 0, false, 1));
        assertThat(ch.<Object>readOutbound()).isNull();

        subscribe(ch, "$SYS/a", MqttQoS.AT_MOST_ONCE);
        ch.writeInbound(MqttMessageBuilders.unsubscribe().messageId(1).addTopicFilter("$SYS/a").build());
        ch.readInbound();
        ch.writeOutbound(Packets.publish("$SYS/a", MqttQoS.AT_MOST_ONCE, 0, false, 1));
        assertThat(ch.<Object>readOutbound()).isNull();
    }

    @Test
    void persistentSessionKeepsItsFiltersAcrossReconnect() {
        EmbeddedChannel first = connected("p", false);
        subscribe(first, "$SYS/#", MqttQoS.AT_LEAST_ONCE);
        first.close();

        EmbeddedChannel second = connected("p", false);
        second.writeOutbound(Packets.publish("$SYS/a", MqttQoS.AT_MOST_ONCE, 0, false, 1));
        Object out = second.readOutbound();
        assertThat(out).isInstanceOf(MqttPublishMessage.class);
        ReferenceCountUtil.release(out);

        EmbeddedChannel clean = connected("p", true);
        clean.writeOutbound(Packets.publish("$SYS/a", MqttQoS.AT_MOST_ONCE, 0, false, 1));
        assertThat(clean.<Object>readOutbound()).isNull();
    }

    @Test
    void receivePolicyIsAskedForEveryDeliveryAndARefusalIsAcknowledgedToMoquette() {
        java.util.List<String> asked = new java.util.ArrayList<>();
        DollarFilter.Shared withPolicy = new DollarFilter.Shared(Topics::matches, (client, user, topic) -> {
            asked.add(client + "/" + user + "/" + topic);
            return !topic.startsWith("secret/");
        });
        EmbeddedChannel ch = new EmbeddedChannel(withPolicy.newHandler());
        ch.writeInbound(io.netty.handler.codec.mqtt.MqttMessageBuilders.connect().clientId("r1").username("reader")
                .password("pw".getBytes()).cleanSession(true).keepAlive(30).protocolVersion(
                        io.netty.handler.codec.mqtt.MqttVersion.MQTT_3_1_1).build());
        ch.readInbound();
        ch.writeOutbound(Packets.publish("secret/plan", MqttQoS.AT_LEAST_ONCE, 21, false, 1));
        assertThat(ch.<Object>readOutbound()).isNull();
        Object ack = ch.readInbound();
        assertThat(Packets.type(ack)).isEqualTo(MqttMessageType.PUBACK);
        assertThat(Packets.id(ack)).isEqualTo(21);
        ch.writeOutbound(Packets.publish("open/news", MqttQoS.AT_MOST_ONCE, 0, false, 1));
        Object out = ch.readOutbound();
        assertThat(out).isInstanceOf(MqttPublishMessage.class);
        ReferenceCountUtil.release(out);
        assertThat(asked).containsExactly("r1/reader/secret/plan", "r1/reader/open/news");
    }

    @Test
    void throwingReceivePolicyDropsInsteadOfBreakingTheConnection() {
        DollarFilter.Shared broken = new DollarFilter.Shared(Topics::matches, (c, u, t) -> {
            throw new IllegalStateException("bug");
        });
        EmbeddedChannel ch = new EmbeddedChannel(broken.newHandler());
        ch.writeInbound(Packets.connect("c", 30, true));
        ch.readInbound();
        ch.writeOutbound(Packets.publish("a", MqttQoS.AT_MOST_ONCE, 0, false, 1));
        assertThat(ch.<Object>readOutbound()).isNull();
        assertThat(ch.isActive()).isTrue();
    }
}
