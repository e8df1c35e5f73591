package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.MemoryConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;

/**
 * A subscriber that does not read for a while behind a publisher at full speed: Moquette 0.17 dropped what the
 * subscriber's channel could not take at once (QoS 0 here, acknowledgements too). Now the publisher is held back and
 * the subscriber gets every message, in order, once it reads again — even at QoS 0.
 */
class SlowSubscriberTest {

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
    void aSlowSubscriberHoldsThePublisherBackInsteadOfLosingMessages() throws Exception {
        Properties p = TestServers.properties(tmp, false);
        server = new EdgeportServer();
        server.start(new MemoryConfig(p), List.of(), (io.netty.handler.ssl.SslContext) null, null, null,
                new ChannelPipelines(0, 65535, 0, CertificateUsername.NONE, Topics::matches));
        int port = server.boundPort(EdgeportServer.MQTT);
        int messages = 6_000;
        byte[] payload = new byte[1024]; // 6 MB in all: far more than the socket buffers and the pause threshold

        try (RawClient sub = new RawClient(port); RawClient pub = new RawClient(port)) {
            sub.send(Packets.connect("slow-sub", 60, true));
            assertThat(Packets.type(sub.receive())).isEqualTo(MqttMessageType.CONNACK);
            ping(sub);
            sub.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_MOST_ONCE, "t").build());
            assertThat(Packets.type(sub.receive())).isEqualTo(MqttMessageType.SUBACK);
            pub.send(Packets.connect("fast-pub", 60, true));
            assertThat(Packets.type(pub.receive())).isEqualTo(MqttMessageType.CONNACK);

            // The publisher writes everything (its socket blocks when the broker stops reading) while the
            // subscriber reads nothing for now.
            AtomicInteger written = new AtomicInteger();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < messages; i++) {
                        String n = Integer.toString(i);
                        byte[] body = payload.clone();
                        byte[] num = n.getBytes(StandardCharsets.US_ASCII);
                        System.arraycopy(num, 0, body, 0, num.length);
                        body[num.length] = ';';
                        pub.send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false,
                                MqttQoS.AT_MOST_ONCE, false, 0), new MqttPublishVariableHeader("t", 0),
                                Unpooled.wrappedBuffer(body)));
                        written.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            // The publisher writes until it is held back (its socket blocks) or, should the buffers on the way take
            // it all, until it is done: either way it makes no progress for a while.
            AtomicInteger seen = new AtomicInteger(-1);
            await("the publisher held back").atMost(Duration.ofSeconds(30)).during(Duration.ofMillis(500))
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        int now = written.get();
                        return now > 0 && seen.getAndSet(now) == now;
                    });

            int expected = 0;
            while (expected < messages) {
                MqttMessage m = sub.receive();
                assertThat(Packets.type(m)).isEqualTo(MqttMessageType.PUBLISH);
                String body = ((MqttPublishMessage) m).payload().toString(StandardCharsets.US_ASCII);
                ReferenceCountUtil.release(m);
                assertThat(body.substring(0, body.indexOf(';'))).as("message in order, none lost")
                        .isEqualTo(Integer.toString(expected));
                expected++;
            }
            writer.join(30_000);
            assertThat(expected).isEqualTo(messages);
        }
    }

    private static void ping(RawClient c) throws IOException {
        c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        assertThat(Packets.type(c.receive())).isEqualTo(MqttMessageType.PINGRESP);
    }
}
