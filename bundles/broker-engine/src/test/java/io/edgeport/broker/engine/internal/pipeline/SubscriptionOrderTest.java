package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Topics;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.MemoryConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * A SUBSCRIBE or UNSUBSCRIBE has taken effect for every I/O thread once its SUBACK/UNSUBACK is out: another client's
 * PUBLISH sent after that acknowledgement sees the change. Subscriber and publisher have their sessions on different
 * I/O threads (when there are several), so the subscription change and the publisher's matching run on different
 * threads.
 *
 * <p>No waiting for "nothing arrives": after the publish that must not be delivered, the same publisher sends a marker
 * to a topic the subscriber keeps; messages from one publisher to one subscriber keep their order (one path from the
 * publisher's session loop to the subscriber's), so the marker must be the very next message the subscriber gets.
 */
class SubscriptionOrderTest {

    private final EdgeportServer server = new EdgeportServer();

    @AfterEach
    void tearDown() {
        server.stop();
    }

    @Test
    void aPublishAfterTheSubackArrivesAndOneAfterTheUnsubackDoesNot() throws Exception {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", "0");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("data_path", Path.of("target", "unused-data").toString()); // persistence off: nothing written
        server.start(new MemoryConfig(p), List.of(), (io.netty.handler.ssl.SslContext) null, null, null,
                new ChannelPipelines(0, 65_535, 0, CertificateUsername.NONE, Topics::matches));
        int port = server.boundPort(EdgeportServer.MQTT);
        String subId = "order-sub";
        String pubId = otherLoopThan(subId);

        try (RawClient sub = connected(port, subId); RawClient pub = connected(port, pubId)) {
            sub.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "marker")
                    .build());
            assertThat(Packets.type(sub.receive())).isEqualTo(MqttMessageType.SUBACK);
            int pubIds = 0;
            for (int i = 0; i < 300; i++) {
                String topic = "order/" + i;
                sub.send(MqttMessageBuilders.subscribe().messageId(2).addSubscription(MqttQoS.AT_LEAST_ONCE, topic)
                        .build());
                assertThat(Packets.type(sub.receive())).isEqualTo(MqttMessageType.SUBACK);
                publish(pub, topic, "after-suback", ++pubIds);
                assertThat(nextMessage(sub)).as("round %s: published after the SUBACK", i)
                        .isEqualTo(topic + "=after-suback");

                sub.send(MqttMessageBuilders.unsubscribe().messageId(3).addTopicFilter(topic).build());
                assertThat(Packets.type(sub.receive())).isEqualTo(MqttMessageType.UNSUBACK);
                publish(pub, topic, "after-unsuback", ++pubIds);
                publish(pub, "marker", "m" + i, ++pubIds);
                assertThat(nextMessage(sub)).as("round %s: published after the UNSUBACK", i)
                        .isEqualTo("marker=m" + i);
            }
        }
    }

    /** A client id whose session loop differs from {@code id}'s (EventLoopSessions: hash modulo the thread count). */
    private static String otherLoopThan(String id) {
        int loops = Runtime.getRuntime().availableProcessors();
        for (int k = 0;; k++) {
            String candidate = "order-pub-" + k;
            if (loops == 1 || Math.abs(candidate.hashCode() % loops) != Math.abs(id.hashCode() % loops)) {
                return candidate;
            }
        }
    }

    private static RawClient connected(int port, String clientId) throws Exception {
        RawClient c = new RawClient(port);
        c.send(Packets.connect(clientId, 30, true));
        assertThat(Packets.connAckCode(c.receive())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        return c;
    }

    /** QoS 1, returns when the PUBACK arrived. */
    private static void publish(RawClient pub, String topic, String payload, int packetId) throws Exception {
        pub.send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE,
                false, 0), new MqttPublishVariableHeader(topic, packetId),
                Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)));
        MqttMessage ack = pub.receive();
        assertThat(Packets.type(ack)).isEqualTo(MqttMessageType.PUBACK);
        assertThat(Packets.id(ack)).isEqualTo(packetId);
    }

    /** The next PUBLISH to {@code sub} as topic=payload, acknowledged. */
    private static String nextMessage(RawClient sub) throws Exception {
        MqttMessage m = sub.receive();
        assertThat(Packets.type(m)).isEqualTo(MqttMessageType.PUBLISH);
        MqttPublishMessage p = (MqttPublishMessage) m;
        try {
            sub.send(Packets.ack(MqttMessageType.PUBACK, p.variableHeader().packetId()));
            return p.variableHeader().topicName() + "=" + p.payload().toString(StandardCharsets.UTF_8);
        } finally {
            p.release();
        }
    }
}
