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
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.moquette.broker.ClientDescriptor;
import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.MemoryConfig;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * Redelivery of unacknowledged QoS 1/2 messages to a persistent session (MQTT 3.1.1 4.4.0-1): at reconnect, with
 * their original packet ids and DUP=1, before anything queued while offline, and across a clean broker restart.
 * The subscriber is a raw socket client so the test controls every acknowledgement and sees ids and DUP flags. A
 * PINGREQ/PINGRESP round trip is the fence for "nothing more was sent": the broker answers it after everything it
 * wrote before. Waits are bounded by the socket timeout; nothing asserts on elapsed time.
 */
class InflightRedeliveryTest {

    @TempDir
    Path tmp;
    private final List<EdgeportServer> servers = new ArrayList<>();

    /** One PUBLISH as the subscriber saw it. */
    record Seen(String payload, int id, boolean dup) {
    }

    @AfterEach
    void tearDown() {
        servers.forEach(EdgeportServer::stop);
    }

    private EdgeportServer start(boolean persistent) throws Exception {
        Properties p = TestServers.properties(tmp, persistent);
        EdgeportServer server = new EdgeportServer();
        servers.add(server);
        server.start(new MemoryConfig(p), List.of(), (io.netty.handler.ssl.SslContext) null, null, null,
                new ChannelPipelines(0, 65535, 0, CertificateUsername.NONE, Topics::matches));
        return server;
    }

    private static RawClient connect(EdgeportServer server, String id, boolean expectSessionPresent)
            throws IOException {
        RawClient c = new RawClient(server.boundPort(EdgeportServer.MQTT));
        c.send(Packets.connect(id, 60, false));
        MqttMessage ack = c.receive();
        assertThat(Packets.type(ack)).isEqualTo(MqttMessageType.CONNACK);
        assertThat(((MqttConnAckMessage) ack).variableHeader().isSessionPresent()).as("session present")
                .isEqualTo(expectSessionPresent);
        if (!expectSessionPresent) {
            // Moquette 0.17 marks the connection usable only after the CONNACK flush completes and closes it on a
            // SUBSCRIBE that arrives earlier: a ping round trip first. (A resumed session sends nothing here, so
            // that a test sees resends in the order they come.)
            ping(c);
        }
        return c;
    }

    private static void ping(RawClient c) throws IOException {
        c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        assertThat(Packets.type(c.receive())).isEqualTo(MqttMessageType.PINGRESP);
    }

    private static RawClient subscriber(EdgeportServer server, MqttQoS qos) throws IOException {
        RawClient c = connect(server, "sub", false);
        c.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(qos, "t").build());
        assertThat(Packets.type(c.receive())).isEqualTo(MqttMessageType.SUBACK);
        return c;
    }

    private static void publish(EdgeportServer server, int qos, String... payloads) throws Exception {
        MqttClient pub = new MqttClient("tcp://127.0.0.1:" + server.boundPort(EdgeportServer.MQTT), "pub",
                new MemoryPersistence());
        try {
            pub.setTimeToWait(10_000);
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            pub.connect(o);
            for (String p : payloads) {
                pub.publish("t", p.getBytes(StandardCharsets.UTF_8), qos, false);
            }
            pub.disconnect();
        } finally {
            pub.close();
        }
    }

    private static Seen seen(MqttMessage m) {
        MqttPublishMessage p = (MqttPublishMessage) m;
        return new Seen(p.payload().toString(StandardCharsets.UTF_8), p.variableHeader().packetId(),
                p.fixedHeader().isDup());
    }

    /** Reads {@code n} PUBLISHes without acknowledging them. */
    private static List<Seen> receiveUnacked(RawClient c, int n) throws IOException {
        List<Seen> out = new ArrayList<>();
        while (out.size() < n) {
            MqttMessage m = c.receive();
            assertThat(Packets.type(m)).isEqualTo(MqttMessageType.PUBLISH);
            out.add(seen(m));
        }
        return out;
    }

    /**
     * Acknowledges everything (QoS 1: PUBACK; QoS 2: PUBREC, then PUBCOMP on PUBREL) until {@code distinct} different
     * payloads arrived and no QoS 2 exchange is open, then fences with a ping and returns every PUBLISH seen, in
     * order; PUBREL ids go to {@code pubrels}.
     */
    private static List<Seen> receiveAll(RawClient c, int distinct, List<Integer> pubrels) throws IOException {
        List<Seen> out = new ArrayList<>();
        Set<String> payloads = new HashSet<>();
        Set<Integer> open = new HashSet<>();
        boolean pinged = false;
        for (;;) {
            if (!pinged && payloads.size() >= distinct && open.isEmpty()) {
                c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE,
                        false, 0)));
                pinged = true;
            }
            MqttMessage m = c.receive();
            switch (Packets.type(m)) {
                case PUBLISH:
                    Seen s = seen(m);
                    out.add(s);
                    payloads.add(s.payload());
                    if (m.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
                        c.send(Packets.ack(MqttMessageType.PUBACK, s.id()));
                    } else {
                        open.add(s.id());
                        c.send(Packets.ack(MqttMessageType.PUBREC, s.id()));
                    }
                    break;
                case PUBREL:
                    pubrels.add(Packets.id(m));
                    open.remove(Packets.id(m));
                    c.send(Packets.ack(MqttMessageType.PUBCOMP, Packets.id(m)));
                    break;
                case PINGRESP:
                    return out;
                default:
                    throw new AssertionError("unexpected " + m);
            }
        }
    }

    private static void awaitOffline(EdgeportServer server, String clientId) {
        await(clientId + " offline").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(server.listConnectedClients()).extracting(ClientDescriptor::getClientID)
                        .doesNotContain(clientId));
    }

    /** The report's scenario: m1-m3 unacknowledged, disconnect, m4 queued, reconnect. */
    private void redeliversInFlightAtReconnect(MqttQoS qos) throws Exception {
        EdgeportServer server = start(false);
        List<Seen> first;
        try (RawClient sub = subscriber(server, qos)) {
            publish(server, qos.value(), "m1", "m2", "m3");
            first = receiveUnacked(sub, 3);
        }
        awaitOffline(server, "sub");
        publish(server, qos.value(), "m4");

        List<Integer> pubrels = new ArrayList<>();
        List<Seen> after;
        try (RawClient sub = connect(server, "sub", true)) {
            after = receiveAll(sub, 4, pubrels);
        }
        assertThat(first).extracting(Seen::payload).containsExactly("m1", "m2", "m3");
        assertThat(after).extracting(Seen::payload).containsExactly("m1", "m2", "m3", "m4");
        for (int i = 0; i < 3; i++) {
            assertThat(after.get(i).id()).as("original id of m%d", i + 1).isEqualTo(first.get(i).id());
            assertThat(after.get(i).dup()).as("DUP of m%d", i + 1).isTrue();
        }
        Set<Integer> originalIds = Set.of(first.get(0).id(), first.get(1).id(), first.get(2).id());
        assertThat(after.get(3).id()).as("m4 gets an id not in flight").isNotIn(originalIds);
        assertThat(after.get(3).dup()).isFalse();
        if (qos == MqttQoS.EXACTLY_ONCE) {
            assertThat(pubrels).hasSize(4).doesNotHaveDuplicates();
        }
    }

    @Test
    void qos1InFlightIsResentAtReconnectWithOriginalIds() throws Exception {
        redeliversInFlightAtReconnect(MqttQoS.AT_LEAST_ONCE);
    }

    @Test
    void qos2InFlightIsResentAtReconnectWithOriginalIds() throws Exception {
        redeliversInFlightAtReconnect(MqttQoS.EXACTLY_ONCE);
    }

    /** QoS 2, m1 already PUBREC'd (broker owes a PUBREL), m2 unacknowledged: PUBREL 1 and PUBLISH m2 are resent. */
    @Test
    void qos2PubrelIsResentAtReconnect() throws Exception {
        EdgeportServer server = start(false);
        List<Seen> first;
        try (RawClient sub = subscriber(server, MqttQoS.EXACTLY_ONCE)) {
            publish(server, 2, "m1", "m2");
            first = receiveUnacked(sub, 2);
            sub.send(Packets.ack(MqttMessageType.PUBREC, first.get(0).id()));
            MqttMessage rel = sub.receive();
            assertThat(Packets.type(rel)).isEqualTo(MqttMessageType.PUBREL);
            assertThat(Packets.id(rel)).isEqualTo(first.get(0).id());
        }
        awaitOffline(server, "sub");

        List<Integer> pubrels = new ArrayList<>();
        List<Seen> after;
        try (RawClient sub = connect(server, "sub", true)) {
            after = receiveAll(sub, 1, pubrels);
        }
        assertThat(after).containsExactly(new Seen("m2", first.get(1).id(), true));
        assertThat(pubrels).containsExactly(first.get(0).id(), first.get(1).id());
    }

    /** Everything acknowledged: a reconnect resends nothing. */
    @Test
    void acknowledgedMessagesAreNotResent() throws Exception {
        EdgeportServer server = start(false);
        try (RawClient sub = subscriber(server, MqttQoS.AT_LEAST_ONCE)) {
            publish(server, 1, "m1", "m2");
            assertThat(receiveAll(sub, 2, new ArrayList<>())).extracting(Seen::payload).containsExactly("m1", "m2");
        }
        awaitOffline(server, "sub");
        try (RawClient sub = connect(server, "sub", true)) {
            assertThat(receiveAll(sub, 0, new ArrayList<>())).isEmpty();
        }
    }

    /** A clean-session CONNECT discards the in-flight messages: nothing is resent to the next persistent session. */
    @Test
    void cleanSessionDiscardsInFlight() throws Exception {
        EdgeportServer server = start(false);
        try (RawClient sub = subscriber(server, MqttQoS.AT_LEAST_ONCE)) {
            publish(server, 1, "m1");
            receiveUnacked(sub, 1);
        }
        awaitOffline(server, "sub");
        try (RawClient clean = new RawClient(server.boundPort(EdgeportServer.MQTT))) {
            clean.send(Packets.connect("sub", 60, true));
            assertThat(((MqttConnAckMessage) clean.receive()).variableHeader().isSessionPresent()).isFalse();
        }
        awaitOffline(server, "sub");
        // A clean session is discarded on the session loop after the connection closes: wait for that too.
        await("the clean session discarded").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !server.hasSession("sub"));
        try (RawClient sub = connect(server, "sub", false)) {
            assertThat(receiveAll(sub, 0, new ArrayList<>())).isEmpty();
        }
    }

    /** Messages in flight to an offline persistent session when the broker stops cleanly arrive after the restart. */
    @Test
    void inFlightMessagesSurviveACleanRestart() throws Exception {
        EdgeportServer first = start(true);
        try (RawClient sub = subscriber(first, MqttQoS.AT_LEAST_ONCE)) {
            publish(first, 1, "m1", "m2", "m3");
            receiveUnacked(sub, 3);
        }
        awaitOffline(first, "sub");
        publish(first, 1, "m4");
        first.stop();

        EdgeportServer second = start(true);
        List<Seen> after;
        try (RawClient sub = connect(second, "sub", true)) {
            after = receiveAll(sub, 4, new ArrayList<>());
        }
        assertThat(after).extracting(Seen::payload).containsExactly("m1", "m2", "m3", "m4");
        assertThat(after).extracting(Seen::id).doesNotHaveDuplicates();
    }
}
