package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Topics;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.MemoryConfig;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * max_inflight_messages (Moquette 0.17 fixes the window at 10), small and large. A raw subscriber that never
 * acknowledges counts how many QoS 1 messages the broker lets be in flight; a ping round trip fences "nothing more was
 * sent".
 */
class InflightWindowTest {

    @TempDir
    Path tmp;
    private EdgeportServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.stop();
        }
    }

    private void start(int maxInflight) throws Exception {
        Properties p = TestServers.properties(tmp, false);
        p.setProperty(EdgeportServer.MAX_INFLIGHT_PROPERTY, Integer.toString(maxInflight));
        server = new EdgeportServer();
        server.start(new MemoryConfig(p), List.of(), (io.netty.handler.ssl.SslContext) null, null, null,
                new ChannelPipelines(0, 65535, 0, CertificateUsername.NONE, Topics::matches));
    }

    private RawClient subscribe(String clientId) throws IOException {
        RawClient c = new RawClient(server.boundPort(EdgeportServer.MQTT));
        var connect = MqttMessageBuilders.connect().clientId(clientId).keepAlive(60).cleanSession(true)
                .protocolVersion(io.netty.handler.codec.mqtt.MqttVersion.MQTT_3_1_1);
        c.send(connect.build());
        MqttMessage ack = c.receive();
        assertThat(((MqttConnAckMessage) ack).variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        ping(c);
        c.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "t").build());
        assertThat(Packets.type(c.receive())).isEqualTo(MqttMessageType.SUBACK);
        return c;
    }

    private static void ping(RawClient c) throws IOException {
        c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        assertThat(Packets.type(c.receive())).isEqualTo(MqttMessageType.PINGRESP);
    }

    private void publish(int n) throws Exception {
        MqttClient pub = new MqttClient("tcp://127.0.0.1:" + server.boundPort(EdgeportServer.MQTT), "pub",
                new MemoryPersistence());
        try {
            pub.setTimeToWait(10_000);
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMaxInflight(1000); // Paho's sync publish returns before it frees its in-flight slot
            pub.connect(o);
            for (int i = 0; i < n; i++) {
                pub.publish("t", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
            }
            pub.disconnect();
        } finally {
            if (pub.isConnected()) {
                pub.disconnectForcibly(1_000);
            }
            pub.close();
        }
    }

    /** Reads exactly {@code n} unacknowledged PUBLISHes, then checks with a ping that no further one was sent. */
    private static List<Integer> inFlight(RawClient c, int n) throws IOException {
        List<Integer> ids = new ArrayList<>();
        while (ids.size() < n) {
            MqttMessage m = c.receive();
            assertThat(Packets.type(m)).isEqualTo(MqttMessageType.PUBLISH);
            ids.add(((io.netty.handler.codec.mqtt.MqttPublishMessage) m).variableHeader().packetId());
            io.netty.util.ReferenceCountUtil.release(m);
        }
        c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        assertThat(Packets.type(c.receive())).as("nothing beyond the window").isEqualTo(MqttMessageType.PINGRESP);
        return ids;
    }

    @Test
    void maxInflightMessagesWidensMoquettesWindowOfTen() throws Exception {
        start(30);
        try (RawClient sub = subscribe("sub")) {
            publish(50);
            List<Integer> first = inFlight(sub, 30);
            assertThat(first).doesNotHaveDuplicates();
            for (int id : first) {
                sub.send(Packets.ack(MqttMessageType.PUBACK, id));
            }
            assertThat(inFlight(sub, 20)).doesNotHaveDuplicates();
        }
    }

    @Test
    void aLargeWindowIsHonouredWholeOnAnOrdinaryListener() throws Exception {
        // A whole batch in flight to one subscriber; below max_queued_messages (1000), so nothing is paced.
        start(300);
        try (RawClient sub = subscribe("sub")) {
            publish(300);
            assertThat(inFlight(sub, 300)).doesNotHaveDuplicates();
        }
    }
}
