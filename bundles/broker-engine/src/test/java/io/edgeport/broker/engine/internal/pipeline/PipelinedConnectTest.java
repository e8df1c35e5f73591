package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * MQTT 3.1.1 section 3.1.4 lets a client send packets right behind its CONNECT, before the CONNACK. Packets that
 * follow an authenticated CONNECT must be processed in order once the session exists: never dropped, always
 * acknowledged, and never answered before the CONNACK.
 */
class PipelinedConnectTest {

    private static final String USER = "device";
    private static final String PASSWORD = "s3cret";

    private final EdgeportServer server = new EdgeportServer();
    private MqttClient subscriber;

    @AfterEach
    void tearDown() throws Exception {
        if (subscriber != null && subscriber.isConnected()) {
            subscriber.disconnectForcibly(100, 100);
        }
        server.stop();
    }

    /**
     * Checks the password and takes a few milliseconds doing it, as a real password hash does: the CONNECT then
     * reaches its session loop later, which is when Moquette 0.17 lost the PUBLISH packets behind it.
     */
    private static final IAuthenticator SLOW_PASSWORD_CHECK = (clientId, username, password) -> {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3));
        return USER.equals(username) && password != null
                && PASSWORD.equals(new String(password, StandardCharsets.UTF_8));
    };

    private void start() throws Exception {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", "0");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("data_path", Path.of("target", "unused-data").toString()); // persistence off: nothing written
        p.setProperty("telemetry_enabled", "false");
        ChannelPipelines pipelines = new ChannelPipelines(0, 65_535, 0, CertificateUsername.NONE, Topics::matches);
        server.start(new MemoryConfig(p), List.of(), (io.netty.handler.ssl.SslContext) null, SLOW_PASSWORD_CHECK,
                null, pipelines);
    }

    @Test
    void qos1PublishesBehindAnAuthenticatedConnectAreAllAcknowledgedAndDelivered() throws Exception {
        start();
        Set<String> received = ConcurrentHashMap.newKeySet();
        subscriber = new MqttClient("tcp://127.0.0.1:" + server.boundPort(EdgeportServer.MQTT), "pipe-sub",
                new MemoryPersistence());
        subscriber.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        subscriber.connect();
        subscriber.subscribe("pipe/#", 1);

        int tries = 50;
        Set<String> expected = new java.util.HashSet<>();
        for (int i = 0; i < tries; i++) {
            String id = "pipe-" + i;
            List<ByteBuf> packets = new ArrayList<>();
            packets.add(Packets.encode(MqttMessageBuilders.connect().clientId(id)
                    .protocolVersion(MqttVersion.MQTT_3_1_1).keepAlive(30).cleanSession(true).hasUser(true)
                    .username(USER).hasPassword(true).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).build()));
            for (int k = 1; k <= 3; k++) {
                packets.add(Packets.encode(publish("pipe/" + i, k, "m" + k)));
                expected.add("pipe/" + i + "=m" + k);
            }
            try (RawClient raw = new RawClient(server.boundPort(EdgeportServer.MQTT))) {
                raw.sendRaw(Unpooled.wrappedBuffer(packets.toArray(new ByteBuf[0]))); // one write
                Object first = raw.receive();
                assertThat(Packets.type(first)).as("try %s: first packet", i).isEqualTo(MqttMessageType.CONNACK);
                assertThat(Packets.connAckCode(first)).as("try %s", i)
                        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
                List<Integer> acks = new ArrayList<>();
                for (int k = 1; k <= 3; k++) {
                    Object ack = raw.receive();
                    assertThat(Packets.type(ack)).as("try %s, packet %s", i, k).isEqualTo(MqttMessageType.PUBACK);
                    acks.add(Packets.id(ack));
                }
                assertThat(acks).as("try %s", i).containsExactly(1, 2, 3);
            }
        }
        await("every acknowledged message delivered").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(20)).until(() -> received.size() >= expected.size());
        assertThat(received).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static MqttPublishMessage publish(String topic, int id, String payload) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE,
                false, 0), new MqttPublishVariableHeader(topic, id),
                Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8));
    }
}
