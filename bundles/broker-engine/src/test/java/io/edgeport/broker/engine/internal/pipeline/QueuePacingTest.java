package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.MemoryConfig;
import io.netty.buffer.ByteBuf;
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
 * max_queued_messages paces publishers instead of dropping: once more than that many QoS 1 messages wait for a
 * connected subscriber, the broker holds back the PUBACKs of the publisher feeding it; they come, in order, as the
 * subscriber catches up, and every message arrives once and in order. A subscriber that goes away releases them.
 * Both clients are raw sockets, so the test controls every acknowledgement and sees every packet.
 */
class QueuePacingTest {

    private static final int WINDOW = 10;
    private static final int MAX_QUEUED = 50;
    private static final int MESSAGES = 300;

    @TempDir
    Path tmp;
    private EdgeportServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.stop();
        }
    }

    private void start() throws Exception {
        Properties p = TestServers.properties(tmp, false);
        p.setProperty(EdgeportServer.MAX_INFLIGHT_PROPERTY, Integer.toString(WINDOW));
        p.setProperty(EdgeportServer.MAX_QUEUED_PROPERTY, Integer.toString(MAX_QUEUED));
        server = new EdgeportServer();
        server.start(new MemoryConfig(p), List.of(), (io.netty.handler.ssl.SslContext) null, null, null,
                new ChannelPipelines(0, 65535, 0, CertificateUsername.NONE, Topics::matches));
    }

    private RawClient connect(String clientId) throws IOException {
        RawClient c = new RawClient(server.boundPort(EdgeportServer.MQTT));
        c.send(Packets.connect(clientId, 60, true));
        assertThat(Packets.type(c.receive())).isEqualTo(MqttMessageType.CONNACK);
        fence(c); // the session is bound before anything else is sent
        return c;
    }

    /** @return every packet that arrives before the answer to a PINGREQ sent now (PINGRESP is never held) */
    private static List<MqttMessage> fence(RawClient c) throws IOException {
        c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        List<MqttMessage> before = new ArrayList<>();
        for (MqttMessage m = c.receive(); Packets.type(m) != MqttMessageType.PINGRESP; m = c.receive()) {
            before.add(m);
        }
        return before;
    }

    private RawClient subscriber() throws IOException {
        RawClient sub = connect("sub");
        sub.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "t").build());
        assertThat(Packets.type(sub.receive())).isEqualTo(MqttMessageType.SUBACK);
        return sub;
    }

    private static void publish(RawClient pub, int from, int to) throws IOException {
        ByteBuf all = Unpooled.buffer();
        for (int i = from; i <= to; i++) {
            ByteBuf payload = Unpooled.copiedBuffer(Integer.toString(i), StandardCharsets.US_ASCII);
            ByteBuf encoded = Packets.encode(new MqttPublishMessage(
                    new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                    new MqttPublishVariableHeader("t", i), payload));
            try {
                all.writeBytes(encoded);
            } finally {
                encoded.release(); // the test's own buffers: a leak report from them lands in another test's log
            }
        }
        pub.sendRaw(all);
    }

    private static List<Integer> pubAckIds(List<MqttMessage> packets) {
        List<Integer> ids = new ArrayList<>();
        for (MqttMessage m : packets) {
            assertThat(Packets.type(m)).isEqualTo(MqttMessageType.PUBACK);
            ids.add(Packets.id(m));
        }
        return ids;
    }

    /** @return the messages in flight to and queued for a session, as its session loop accounted them */
    private long waitingFor(String clientId) {
        return server.sessions(clientId, 10).stream().filter(s -> s.clientId().equals(clientId))
                .mapToLong(s -> s.queued() + s.inflight()).sum();
    }

    /**
     * Publishes everything in chunks while the subscriber acknowledges nothing (the broker's loops may be two threads:
     * each chunk is queued for the subscriber before the next one goes, so the hold applies from the chunk after the
     * queue overflowed); @return the PUBACK ids received meanwhile.
     */
    private List<Integer> fillUntilHeld(RawClient pub, RawClient sub) throws Exception {
        List<Integer> acked = new ArrayList<>();
        for (int from = 1; from <= MESSAGES; from += 20) {
            publish(pub, from, Math.min(MESSAGES, from + 19));
            acked.addAll(pubAckIds(fence(pub)));
            int routed = Math.min(MESSAGES, from + 19);
            await("the chunk up to " + routed + " queued for the subscriber").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(5)).until(() -> waitingFor("sub") == routed);
        }
        await("the publisher's acknowledgements held").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(30))
                .pollInSameThread().pollInterval(Duration.ofMillis(100)).until(() -> {
                    List<Integer> more = pubAckIds(fence(pub));
                    acked.addAll(more);
                    return more.isEmpty();
                });
        return acked;
    }

    @Test
    void aSubscriberThatFallsBehindHoldsItsPublishersAcknowledgementsUntilItCatchesUp() throws Exception {
        start();
        try (RawClient sub = subscriber(); RawClient pub = connect("pub")) {
            List<Integer> acked = fillUntilHeld(pub, sub);
            assertThat(acked).as("acknowledged before the hold, in order")
                    .hasSizeGreaterThanOrEqualTo(WINDOW + MAX_QUEUED).hasSizeLessThanOrEqualTo(WINDOW + MAX_QUEUED + 40)
                    .isSorted().doesNotHaveDuplicates();

            // The subscriber now takes everything, acknowledging each message as it comes.
            List<Integer> received = new ArrayList<>();
            while (received.size() < MESSAGES) {
                MqttMessage m = sub.receive();
                assertThat(Packets.type(m)).isEqualTo(MqttMessageType.PUBLISH);
                MqttPublishMessage p = (MqttPublishMessage) m;
                assertThat(p.fixedHeader().isDup()).isFalse();
                received.add(Integer.parseInt(p.payload().toString(StandardCharsets.US_ASCII)));
                sub.send(Packets.ack(MqttMessageType.PUBACK, p.variableHeader().packetId()));
                ReferenceCountUtil.release(m);
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= MESSAGES; i++) {
                expected.add(i);
            }
            assertThat(received).as("every message once, in order").isEqualTo(expected);

            while (acked.size() < MESSAGES) {
                acked.add(Packets.id(pub.receive()));
            }
            assertThat(acked).as("every PUBACK once, in the order of the PUBLISHes").isEqualTo(expected);
        }
    }

    @Test
    void theHeldAcknowledgementsGoOutWhenTheSubscriberDisconnects() throws Exception {
        start();
        try (RawClient pub = connect("pub")) {
            List<Integer> acked;
            try (RawClient sub = subscriber()) {
                acked = fillUntilHeld(pub, sub);
                assertThat(acked).hasSizeLessThan(MESSAGES);
            }
            while (acked.size() < MESSAGES) {
                acked.add(Packets.id(pub.receive()));
            }
            assertThat(acked).isSorted().doesNotHaveDuplicates().hasSize(MESSAGES);
        }
    }
}
