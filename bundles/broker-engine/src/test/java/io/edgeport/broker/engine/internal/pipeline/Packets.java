package io.edgeport.broker.engine.internal.pipeline;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

/** Builders for the MQTT packets the handler tests feed in. */
final class Packets {

    private Packets() {
    }

    static MqttConnectMessage connect(String clientId, int keepAlive, boolean clean) {
        return MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1)
                .keepAlive(keepAlive).cleanSession(clean).build();
    }

    static MqttConnectMessage connectWithWill(String clientId, String willTopic) {
        return MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1)
                .keepAlive(30).cleanSession(true).willFlag(true).willTopic(willTopic)
                .willMessage("bye".getBytes(StandardCharsets.UTF_8)).willQoS(MqttQoS.AT_MOST_ONCE).build();
    }

    static MqttPublishMessage publish(String topic, MqttQoS qos, int id, boolean dup, int payloadBytes) {
        ByteBuf payload = Unpooled.buffer(payloadBytes).writeZero(payloadBytes);
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, qos, false, 0),
                new MqttPublishVariableHeader(topic, qos == MqttQoS.AT_MOST_ONCE ? -1 : id), payload);
    }

    static MqttMessage ack(MqttMessageType type, int id) {
        return PublishGuard.ack(type, id);
    }

    static MqttConnectReturnCode connAckCode(Object msg) {
        return ((MqttConnAckMessage) msg).variableHeader().connectReturnCode();
    }

    static MqttMessageType type(Object msg) {
        return ((MqttMessage) msg).fixedHeader().messageType();
    }

    static int id(Object msg) {
        return ((MqttMessageIdVariableHeader) ((MqttMessage) msg).variableHeader()).messageId();
    }

    /** @return the wire bytes of a message (released by the caller) */
    static ByteBuf encode(MqttMessage msg) {
        EmbeddedChannel enc = new EmbeddedChannel(MqttEncoder.INSTANCE);
        enc.writeOutbound(msg);
        ByteBuf out = enc.readOutbound();
        enc.finishAndReleaseAll();
        return out;
    }
}
