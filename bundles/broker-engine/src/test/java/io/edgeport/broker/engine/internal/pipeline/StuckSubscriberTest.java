package io.edgeport.broker.engine.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Topics;
import io.edgeport.broker.engine.internal.session.PacedQueue;
import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.MemoryConfig;

/**
 * Issue 13: a subscriber to {@code #} that never reads must not stop the others. Its QoS 0 messages are dropped once
 * it has been congested for the shared pause ({@link OutboundPressure}), its QoS 1/2 messages beyond
 * max_queued_messages once it has taken nothing for {@link PacedQueue#STUCK_MS}; the other clients' messages all
 * arrive and the publisher gets every acknowledgement.
 */
class StuckSubscriberTest {

    @TempDir
    Path tmp;
    private EdgeportServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void aSubscriberThatNeverReadsDoesNotStopTheOthers() throws Exception {
        Properties p = TestServers.properties(tmp, false);
        p.setProperty(EdgeportServer.MAX_QUEUED_PROPERTY, "200");
        server = new EdgeportServer();
        server.start(new MemoryConfig(p), List.of(), (io.netty.handler.ssl.SslContext) null, null, null,
                new ChannelPipelines(0, 65535, 0, CertificateUsername.NONE, Topics::matches));
        int port = server.boundPort(EdgeportServer.MQTT);
        long droppedBefore = PacedQueue.droppedForStuckSubscribers();
        long shedBefore = OutboundPressure.droppedForSlowConsumers();

        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            stuck.getOutputStream().write(bytes(Packets.connect("stuck", 0, true)));
            stuck.getOutputStream().write(bytes(io.netty.handler.codec.mqtt.MqttMessageBuilders.subscribe()
                    .messageId(1).addSubscription(io.netty.handler.codec.mqtt.MqttQoS.AT_LEAST_ONCE, "#").build()));
            stuck.getOutputStream().flush();
            // it never reads a byte from now on

            AtomicInteger got = new AtomicInteger();
            CountDownLatch all = new CountDownLatch(200);
            MqttClient probeSub = client(port, "probe-sub");
            probeSub.subscribe("probe/#", 1, (t, m) -> {
                got.incrementAndGet();
                all.countDown();
            });
            MqttClient probe = client(port, "probe");
            // The publisher on a raw connection (Paho's synchronous client may stall by itself when QoS 0 and 1
            // alternate at full speed): it writes 3,000 QoS 0 and 3,000 QoS 1 messages and counts the PUBACKs.
            RawClient flood = new RawClient(port).timeout(30_000); // a pacing hold lasts up to 10 s
            flood.send(Packets.connect("flood", 0, true));
            assertThat(Packets.type(flood.receive())).isEqualTo(io.netty.handler.codec.mqtt.MqttMessageType.CONNACK);
            AtomicInteger pubacks = new AtomicInteger();
            Thread acks = new Thread(() -> {
                try {
                    while (pubacks.get() < 3_000) {
                        if (Packets.type(flood.receive()) == io.netty.handler.codec.mqtt.MqttMessageType.PUBACK) {
                            pubacks.incrementAndGet();
                        }
                    }
                } catch (java.io.IOException e) {
                    // timed out (30 s without a packet): the assertion below says how many came
                }
            });
            acks.start();
            Thread flooder = new Thread(() -> {
                try {
                    for (int i = 1; i <= 3_000; i++) {
                        flood.send(Packets.publish("load/qos0", io.netty.handler.codec.mqtt.MqttQoS.AT_MOST_ONCE, 0,
                                false, 4096)); // 12 MB in all: more than the sockets' buffers take
                        flood.send(Packets.publish("load/qos1", io.netty.handler.codec.mqtt.MqttQoS.AT_LEAST_ONCE,
                                i % 65_535 + 1, false, 1024));
                    }
                    // more QoS 0 while the stuck subscriber is congested, until the broker sheds (bounded)
                    for (int i = 0; i < 20_000 && OutboundPressure.droppedForSlowConsumers() == shedBefore; i++) {
                        flood.send(Packets.publish("load/qos0", io.netty.handler.codec.mqtt.MqttQoS.AT_MOST_ONCE, 0,
                                false, 4096));
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            flooder.start();
            for (int i = 0; i < 200; i++) {
                probe.publish("probe/" + i, ("p" + i).getBytes(StandardCharsets.UTF_8), 1, false);
            }
            assertThat(all.await(60, TimeUnit.SECONDS)).as("the other subscriber got all its messages: %d", got.get())
                    .isTrue();
            flooder.join(60_000);
            acks.join(60_000);
            assertThat(pubacks.get()).as("the publisher got every acknowledgement: it was not held for good")
                    .isEqualTo(3_000);
            assertThat(OutboundPressure.droppedForSlowConsumers() - shedBefore)
                    .as("QoS 0 messages to the stuck subscriber were dropped once it was too slow").isPositive();
            assertThat(PacedQueue.droppedForStuckSubscribers() - droppedBefore)
                    .as("QoS 1 messages beyond the stuck subscriber's queue were dropped, not kept").isPositive();
            flood.close();
            for (MqttClient c : List.of(probeSub, probe)) {
                c.disconnect();
                c.close();
            }
        }
    }

    private static byte[] bytes(io.netty.handler.codec.mqtt.MqttMessage m) {
        io.netty.buffer.ByteBuf b = Packets.encode(m);
        try {
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        } finally {
            b.release();
        }
    }

    private static MqttClient client(int port, String id) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMaxInflight(100);
        c.connect(o);
        return c;
    }
}
