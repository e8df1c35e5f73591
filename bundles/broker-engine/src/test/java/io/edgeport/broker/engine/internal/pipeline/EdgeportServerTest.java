package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.moquette.broker.EdgeportServer;
import io.moquette.broker.config.MemoryConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * EdgeportServer with the Edgeport handlers, driven by the Paho client over loopback on ephemeral ports. Waits are
 * bounded; assertions are on what arrived, never on how long it took.
 */
class EdgeportServerTest {

    static final int MAX_CONNECTIONS = 3;
    static final int MAX_KEEPALIVE = 60;
    static final int SIZE_LIMIT = 1000;

    @TempDir
    Path tmp;
    private final List<EdgeportServer> servers = new ArrayList<>();
    private final List<MqttClient> clients = new ArrayList<>();
    private ChannelPipelines pipelines;

    @AfterEach
    void tearDown() {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnectForcibly(100, 100);
                }
                c.close(true);
            } catch (MqttException e) {
                // best effort
            }
        }
        servers.forEach(EdgeportServer::stop);
    }

    /** The test defaults (loopback, ephemeral ports, no persistence) overridden by {@code extra}. */
    private Properties merged(Properties extra) {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", "0");
        p.setProperty("websocket_port", "0");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("data_path", tmp.resolve("data").toString());
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("netty.mqtt.message_size", Integer.toString(SIZE_LIMIT + 1024));
        p.putAll(extra);
        return p;
    }

    private EdgeportServer start(EdgeportServer server, Properties extra) throws Exception {
        pipelines = new ChannelPipelines(MAX_CONNECTIONS, MAX_KEEPALIVE, SIZE_LIMIT, CertificateUsername.NONE,
                Topics::matches);
        if (!servers.contains(server)) {
            servers.add(server);
        }
        server.start(new MemoryConfig(merged(extra)), List.of(), (io.netty.handler.ssl.SslContext) null, null, null,
                pipelines);
        return server;
    }

    private EdgeportServer start(Properties extra) throws Exception {
        return start(new EdgeportServer(), extra);
    }

    private EdgeportServer start() throws Exception {
        return start(new Properties());
    }

    /** Collects messages; a latch opens on connection loss. */
    static final class Inbox implements MqttCallback {
        final List<String> messages = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch lost = new CountDownLatch(1);

        @Override
        public void connectionLost(Throwable cause) {
            lost.countDown();
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            messages.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8) + "@"
                    + message.getQos());
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        List<String> snapshot() {
            synchronized (messages) {
                return List.copyOf(messages);
            }
        }
    }

    private MqttClient client(EdgeportServer server, String id, boolean clean, int keepAlive, Inbox inbox)
            throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.boundPort(EdgeportServer.MQTT), id,
                new MemoryPersistence());
        clients.add(c);
        c.setTimeToWait(10_000);
        if (inbox != null) {
            c.setCallback(inbox);
        }
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(clean);
        o.setKeepAliveInterval(keepAlive);
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        o.setMaxInflight(1000); // Paho's synchronous publish returns before it frees the in-flight slot (32202)
        c.connect(o);
        return c;
    }

    private MqttClient client(EdgeportServer server, String id, Inbox inbox) throws MqttException {
        return client(server, id, true, 30, inbox);
    }

    private static void publish(MqttClient c, String topic, String payload, int qos) throws MqttException {
        c.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
    }

    private static void internalPublish(EdgeportServer server, String topic, String payload) {
        server.internalPublish(new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttPublishVariableHeader(topic, 0), Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)),
                "test");
    }

    @Test
    void listenersBindEphemeralPortsAndDisabledOnesAreNotBound() throws Exception {
        EdgeportServer server = start();
        assertThat(server.boundPort(EdgeportServer.MQTT)).isPositive().isNotEqualTo(1883);
        assertThat(server.boundPort(EdgeportServer.WS)).isPositive().isNotEqualTo(8080);
        assertThat(server.boundPort(EdgeportServer.MQTTS)).isEqualTo(-1);
        server.stop();
        server.stop(); // idempotent
        assertThat(server.boundPort(EdgeportServer.MQTT)).isEqualTo(-1);
    }

    @Test
    void failedStartCleansUpAndTheInstanceCanStartAgain() throws Exception {
        Path data = tmp.resolve("busy");
        EdgeportServer server = new EdgeportServer();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            Properties p = persistent(data);
            p.setProperty("port", Integer.toString(taken.getLocalPort()));
            assertThatThrownBy(() -> start(server, p)).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("mqtt");
        }
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(server::listConnectedClients).isInstanceOf(IllegalStateException.class);
        server.stop(); // safe after a failed start

        // The H2 file lock and the other listener were released: the same instance starts on the same store.
        start(server, persistent(data));
        assertThat(client(server, "after", null).isConnected()).isTrue();
    }

    @Test
    void qos012RoundTrip() throws Exception {
        EdgeportServer server = start();
        Inbox inbox = new Inbox();
        MqttClient sub = client(server, "sub", inbox);
        sub.subscribe("t/#", 2);
        MqttClient pub = client(server, "pub", null);
        publish(pub, "t/0", "zero", 0);
        publish(pub, "t/1", "one", 1);
        publish(pub, "t/2", "two", 2);

        await("three messages").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> inbox.messages.size() >= 3);
        assertThat(inbox.snapshot()).containsExactlyInAnyOrder("t/0=zero@0", "t/1=one@1", "t/2=two@2");
        assertThat(server.listConnectedClients()).hasSize(2);
        assertThat(server.subscriptionCount()).isEqualTo(1);
        assertThat(pipelines.traffic().publishReceived()).isEqualTo(3);
        assertThat(pipelines.traffic().publishSent()).isEqualTo(3);
    }

    @Test
    void dollarTopicsReachOnlyExplicitSubscribers() throws Exception {
        EdgeportServer server = start();
        Inbox wildcard = new Inbox();
        Inbox sys = new Inbox();
        client(server, "wild", wildcard).subscribe("#", 1);
        client(server, "sys", sys).subscribe("$SYS/#", 1);

        internalPublish(server, "$SYS/x", "s");
        internalPublish(server, "marker", "m"); // queued after $SYS/x for the wildcard client

        await("the marker and $SYS/x").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> wildcard.messages.contains("marker=m@1") && sys.messages.contains("$SYS/x=s@1"));
        assertThat(sys.snapshot()).containsExactly("$SYS/x=s@1");
        assertThat(wildcard.snapshot()).containsExactly("marker=m@1");
    }

    @Test
    void retainedDollarTopicsAreNotReplayedToWildcardSubscribers() throws Exception {
        EdgeportServer server = start();
        server.internalPublish(new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, true, 0),
                new MqttPublishVariableHeader("$SYS/broker/version", 0),
                Unpooled.copiedBuffer("v1", StandardCharsets.UTF_8)), "test");
        assertThat(server.retainedCount()).isEqualTo(1);

        Inbox wildcard = new Inbox();
        MqttClient wild = client(server, "wild", wildcard);
        wild.subscribe("#", 1); // Moquette replays retained matches right after the SUBACK
        Inbox sys = new Inbox();
        client(server, "sys", sys).subscribe("$SYS/broker/+", 1);
        internalPublish(server, "marker", "m");

        await("the marker and a $SYS message").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> wildcard.messages.contains("marker=m@1") && !sys.messages.isEmpty());
        assertThat(wildcard.snapshot()).containsExactly("marker=m@1");
        assertThat(sys.snapshot()).containsExactly("$SYS/broker/version=v1@1");
    }

    @Test
    void clientsCannotPublishToDollarTopicsButTheirQos1And2Complete() throws Exception {
        EdgeportServer server = start();
        Inbox sys = new Inbox();
        MqttClient listener = client(server, "sys", sys);
        listener.subscribe(new String[] {"$SYS/#", "marker"}, new int[] {2, 2});
        MqttClient pub = client(server, "pub", null);

        publish(pub, "$SYS/x", "q1", 1); // returns only when PUBACK arrived (time to wait 10 s)
        publish(pub, "$SYS/x", "q2", 2); // returns only when PUBCOMP arrived
        publish(pub, "$SYS/x", "q0", 0);
        publish(pub, "marker", "m", 1);

        await("the marker").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> sys.messages.contains("marker=m@1"));
        assertThat(sys.snapshot()).containsExactly("marker=m@1");
        assertThat(pub.isConnected()).isTrue();
        assertThat(pipelines.publishGuard().droppedPublishes()).isEqualTo(3);
    }

    @Test
    void payloadOverTheLimitDisconnects() throws Exception {
        EdgeportServer server = start();
        Inbox inbox = new Inbox();
        MqttClient c = client(server, "big", inbox);
        publish(c, "a", "x".repeat(SIZE_LIMIT), 0); // at the limit: fine
        assertThat(c.isConnected()).isTrue();

        publish(c, "a", "x".repeat(SIZE_LIMIT + 1), 0);
        assertThat(inbox.lost.await(15, TimeUnit.SECONDS)).isTrue();
        assertThat(pipelines.publishGuard().oversizeDisconnects()).isEqualTo(1);
    }

    @Test
    void keepaliveAboveMaximumIsRefusedWithCode2() throws Exception {
        EdgeportServer server = start();
        assertThatThrownBy(() -> client(server, "slow", true, MAX_KEEPALIVE + 1, null))
                .isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_INVALID_CLIENT_ID));
        assertThat(client(server, "ok", true, MAX_KEEPALIVE, null).isConnected()).isTrue();
    }

    @Test
    void maxConnectionsIsEnforcedAndSlotsComeBack() throws Exception {
        EdgeportServer server = start();
        List<MqttClient> admitted = new ArrayList<>();
        for (int i = 0; i < MAX_CONNECTIONS; i++) {
            admitted.add(client(server, "c" + i, null));
        }
        assertThatThrownBy(() -> client(server, "one-too-many", null)).isInstanceOf(MqttException.class);
        assertThat(server.listConnectedClients()).hasSize(MAX_CONNECTIONS);

        admitted.get(0).disconnect();
        await("a connection slot freed").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> pipelines.connectGuard().connections() < MAX_CONNECTIONS);
        assertThat(client(server, "next", null).isConnected()).isTrue();
    }

    @Test
    void disconnectClientIsFalseForOfflineSessions() throws Exception {
        EdgeportServer server = start();
        MqttClient c = client(server, "p", false, 30, null);
        c.subscribe("x", 1);
        c.disconnect();
        await("no client connected").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> server.listConnectedClients().isEmpty());
        assertThat(server.hasSession("p")).isTrue();
        assertThat(server.disconnectClient("p")).isFalse();
        assertThat(server.disconnectClient("nobody")).isFalse();

        Inbox inbox = new Inbox();
        client(server, "q", inbox);
        // Paho returns at the CONNACK; Moquette marks the session connected on its session loop right after.
        await("q connected").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> server.listConnectedClients().stream().anyMatch(d -> d.getClientID().equals("q")));
        assertThat(server.disconnectClient("q")).isTrue();
        assertThat(inbox.lost.await(15, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Moquette 0.17 kills the publisher's session loop on a DUP=1 QoS 1 publish to a subscribed topic (report section 6
     * item 7): no PUBACK ever again. With PublishGuard the message is delivered once and the loop lives on.
     */
    @Test
    void dupPublishDoesNotKillTheSessionLoop() throws Exception {
        EdgeportServer server = start();
        Inbox inbox = new Inbox();
        client(server, "sub", inbox).subscribe("d", 1);
        try (RawClient raw = new RawClient(server.boundPort(EdgeportServer.MQTT))) {
            raw.send(Packets.connect("raw", 30, true));
            assertThat(Packets.connAckCode(raw.receive())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            raw.send(rawPublish("d", MqttQoS.AT_LEAST_ONCE, 1, true, "first"));
            assertThat(Packets.id(raw.receive())).isEqualTo(1);
            raw.send(rawPublish("d", MqttQoS.AT_LEAST_ONCE, 2, false, "second"));
            assertThat(Packets.id(raw.receive())).as("PUBACK after the DUP publish").isEqualTo(2);
        }
        await("two messages").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> inbox.messages.size() >= 2);
        assertThat(inbox.snapshot()).containsExactly("d=first@1", "d=second@1");
    }

    /** A QoS 2 retransmission (same id, DUP=1) before PUBREL is acknowledged again but delivered once. */
    @Test
    void qos2RetransmissionIsDeliveredOnce() throws Exception {
        EdgeportServer server = start();
        Inbox inbox = new Inbox();
        client(server, "sub", inbox).subscribe(new String[] {"e", "marker"}, new int[] {2, 2});
        try (RawClient raw = new RawClient(server.boundPort(EdgeportServer.MQTT))) {
            raw.send(Packets.connect("raw2", 30, true));
            raw.receive();
            raw.send(rawPublish("e", MqttQoS.EXACTLY_ONCE, 5, false, "once"));
            io.netty.handler.codec.mqtt.MqttMessage rec = raw.receive();
            assertThat(Packets.type(rec)).isEqualTo(MqttMessageType.PUBREC);
            raw.send(rawPublish("e", MqttQoS.EXACTLY_ONCE, 5, true, "once"));
            io.netty.handler.codec.mqtt.MqttMessage rec2 = raw.receive();
            assertThat(Packets.type(rec2)).isEqualTo(MqttMessageType.PUBREC);
            assertThat(Packets.id(rec2)).isEqualTo(5);
            raw.send(Packets.ack(MqttMessageType.PUBREL, 5));
            io.netty.handler.codec.mqtt.MqttMessage comp = raw.receive();
            assertThat(Packets.type(comp)).isEqualTo(MqttMessageType.PUBCOMP);
            raw.send(rawPublish("marker", MqttQoS.AT_LEAST_ONCE, 6, false, "m"));
            raw.receive();
        }
        // Paho hands a QoS 2 message to the application only after its PUBREL, so it may come after the marker.
        await("the marker and the QoS 2 message").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> inbox.messages.contains("marker=m@1") && inbox.messages.contains("e=once@2"));
        assertThat(inbox.snapshot()).containsExactlyInAnyOrder("e=once@2", "marker=m@1");
    }

    /**
     * Exactly once across a crash: a QoS 2 PUBLISH answered with PUBREC, then the broker killed before the PUBREL. The
     * client resends it after the restart (as Paho does with a persistent session); it is answered with PUBREC again
     * and the persistent subscriber gets it once. After the PUBREL the same id is a new message.
     */
    @Test
    void qos2ResentAfterACrashIsDeliveredOnce() throws Exception {
        Path live = tmp.resolve("qos2-live");
        EdgeportServer running = startWithoutCheckpoints(live);
        MqttClient sub = client(running, "qos2-sub", false, 30, null);
        sub.subscribe("x/#", 2);
        sub.disconnect();
        try (RawClient raw = new RawClient(running.boundPort(EdgeportServer.MQTT))) {
            raw.send(Packets.connect("qos2-pub", 30, false));
            raw.receive();
            raw.send(rawPublish("x/1", MqttQoS.EXACTLY_ONCE, 9, false, "only-once"));
            assertThat(Packets.type(raw.receive())).isEqualTo(MqttMessageType.PUBREC);
        }
        Path crashed = tmp.resolve("qos2-crashed");
        copyTree(live, crashed); // the broker dies here, before the PUBREL

        EdgeportServer restarted = start(persistent(crashed));
        try (RawClient raw = new RawClient(restarted.boundPort(EdgeportServer.MQTT))) {
            raw.send(Packets.connect("qos2-pub", 30, false));
            raw.receive();
            raw.send(rawPublish("x/1", MqttQoS.EXACTLY_ONCE, 9, true, "only-once"));
            io.netty.handler.codec.mqtt.MqttMessage rec = raw.receive();
            assertThat(Packets.type(rec)).isEqualTo(MqttMessageType.PUBREC);
            assertThat(Packets.id(rec)).isEqualTo(9);
            raw.send(Packets.ack(MqttMessageType.PUBREL, 9));
            assertThat(Packets.type(raw.receive())).isEqualTo(MqttMessageType.PUBCOMP);
            raw.send(rawPublish("x/2", MqttQoS.EXACTLY_ONCE, 9, false, "new-with-same-id"));
            assertThat(Packets.type(raw.receive())).isEqualTo(MqttMessageType.PUBREC);
            raw.send(Packets.ack(MqttMessageType.PUBREL, 9));
            assertThat(Packets.type(raw.receive())).isEqualTo(MqttMessageType.PUBCOMP);
        }
        Inbox inbox = new Inbox();
        client(restarted, "qos2-sub", false, 30, inbox);
        publish(client(restarted, "marker", null), "x/3", "marker", 2); // queued behind any duplicate
        await("the marker").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> inbox.messages.contains("x/3=marker@2"));
        assertThat(inbox.snapshot()).containsExactly("x/1=only-once@2", "x/2=new-with-same-id@2", "x/3=marker@2");
    }

    /**
     * QoS 2 towards a subscriber across a crash: the subscriber got the PUBLISH and sent PUBREC, the broker sent PUBREL
     * (only once that was stored) and then died. After the restart the subscriber gets the PUBREL again, right after
     * its CONNACK, with the same packet id, and not the message a second time; the next message uses another id.
     */
    @Test
    void anOwedPubrelIsSentAgainAfterACrashAndTheMessageIsNot() throws Exception {
        Path live = tmp.resolve("pubrel-live");
        EdgeportServer running = startWithoutCheckpoints(live);
        int id;
        try (RawClient sub = new RawClient(running.boundPort(EdgeportServer.MQTT))) {
            sub.send(Packets.connect("q2-sub", 30, false));
            sub.receive();
            sub.send(io.netty.handler.codec.mqtt.MqttMessageBuilders.subscribe().messageId(1)
                    .addSubscription(MqttQoS.EXACTLY_ONCE, "y/#").build());
            assertThat(Packets.type(sub.receive())).isEqualTo(MqttMessageType.SUBACK);
            publish(client(running, "y-pub", null), "y/1", "exactly-once", 2);
            io.netty.handler.codec.mqtt.MqttMessage p = sub.receive();
            assertThat(Packets.type(p)).isEqualTo(MqttMessageType.PUBLISH);
            id = ((MqttPublishMessage) p).variableHeader().packetId();
            ((MqttPublishMessage) p).release();
            sub.send(Packets.ack(MqttMessageType.PUBREC, id));
            io.netty.handler.codec.mqtt.MqttMessage rel = sub.receive();
            assertThat(Packets.type(rel)).isEqualTo(MqttMessageType.PUBREL);
            assertThat(Packets.id(rel)).isEqualTo(id);
            copyTree(live, tmp.resolve("pubrel-crashed")); // dies before the PUBCOMP arrives
        }

        EdgeportServer restarted = start(persistent(tmp.resolve("pubrel-crashed")));
        try (RawClient sub = new RawClient(restarted.boundPort(EdgeportServer.MQTT))) {
            sub.send(Packets.connect("q2-sub", 30, false));
            assertThat(Packets.type(sub.receive())).isEqualTo(MqttMessageType.CONNACK);
            io.netty.handler.codec.mqtt.MqttMessage rel = sub.receive();
            assertThat(Packets.type(rel)).as("the owed PUBREL, not the message again").isEqualTo(
                    MqttMessageType.PUBREL);
            assertThat(Packets.id(rel)).isEqualTo(id);
            sub.send(Packets.ack(MqttMessageType.PUBCOMP, id));
            publish(client(restarted, "y-pub2", null), "y/2", "next", 2);
            io.netty.handler.codec.mqtt.MqttMessage next = sub.receive();
            assertThat(Packets.type(next)).isEqualTo(MqttMessageType.PUBLISH);
            assertThat(((MqttPublishMessage) next).variableHeader().topicName()).isEqualTo("y/2");
            assertThat(((MqttPublishMessage) next).variableHeader().packetId()).isNotEqualTo(id);
            ((MqttPublishMessage) next).release();
        }
    }

    /**
     * A QoS 2 message in flight to a subscriber that has it but whose PUBREC did not reach the broker before a crash:
     * after the restart it comes again under the same packet id with DUP=1 (MQTT-4.4.0-1), so the client recognises
     * it; it never comes under a new id (which the client would deliver a second time).
     */
    @Test
    void aQos2MessageInFlightIsResentUnderItsIdAfterACrash() throws Exception {
        Path live = tmp.resolve("q2id-live");
        EdgeportServer running = startWithoutCheckpoints(live);
        int id;
        try (RawClient sub = new RawClient(running.boundPort(EdgeportServer.MQTT))) {
            sub.send(Packets.connect("q2id-sub", 30, false));
            sub.receive();
            sub.send(io.netty.handler.codec.mqtt.MqttMessageBuilders.subscribe().messageId(1)
                    .addSubscription(MqttQoS.EXACTLY_ONCE, "z/#").build());
            assertThat(Packets.type(sub.receive())).isEqualTo(MqttMessageType.SUBACK);
            publish(client(running, "z-pub", null), "z/1", "once", 2); // PUBCOMP: acknowledged to the publisher
            io.netty.handler.codec.mqtt.MqttMessage p = sub.receive();
            assertThat(Packets.type(p)).isEqualTo(MqttMessageType.PUBLISH);
            id = ((MqttPublishMessage) p).variableHeader().packetId();
            ((MqttPublishMessage) p).release();
            copyTree(live, tmp.resolve("q2id-crashed")); // dies before the subscriber's PUBREC arrives
        }

        EdgeportServer restarted = start(persistent(tmp.resolve("q2id-crashed")));
        try (RawClient sub = new RawClient(restarted.boundPort(EdgeportServer.MQTT))) {
            sub.send(Packets.connect("q2id-sub", 30, false));
            assertThat(Packets.type(sub.receive())).isEqualTo(MqttMessageType.CONNACK);
            io.netty.handler.codec.mqtt.MqttMessage again = sub.receive();
            assertThat(Packets.type(again)).isEqualTo(MqttMessageType.PUBLISH);
            MqttPublishMessage resent = (MqttPublishMessage) again;
            assertThat(resent.variableHeader().packetId()).as("the same packet id").isEqualTo(id);
            assertThat(resent.fixedHeader().isDup()).isTrue();
            assertThat(resent.payload().toString(StandardCharsets.UTF_8)).isEqualTo("once");
            resent.release();
            sub.send(Packets.ack(MqttMessageType.PUBREC, id));
            io.netty.handler.codec.mqtt.MqttMessage rel = sub.receive();
            assertThat(Packets.type(rel)).isEqualTo(MqttMessageType.PUBREL);
            sub.send(Packets.ack(MqttMessageType.PUBCOMP, id));
            publish(client(restarted, "z-pub2", null), "z/2", "next", 2);
            MqttPublishMessage next = (MqttPublishMessage) sub.receive();
            assertThat(next.variableHeader().topicName()).as("nothing else came in between").isEqualTo("z/2");
            next.release();
        }
    }

    private static MqttPublishMessage rawPublish(String topic, MqttQoS qos, int id, boolean dup, String payload) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, qos, false, 0),
                new MqttPublishVariableHeader(topic, id), Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8));
    }

    @Test
    void webSocketListenerCarriesMqtt() throws Exception {
        EdgeportServer server = start();
        Inbox inbox = new Inbox();
        MqttClient c = new MqttClient("ws://127.0.0.1:" + server.boundPort(EdgeportServer.WS) + "/mqtt", "wsc",
                new MemoryPersistence());
        clients.add(c);
        c.setTimeToWait(10_000);
        c.setCallback(inbox);
        c.connect();
        c.subscribe("w", 1);
        publish(c, "w", "x".repeat(600), 1); // bigger than one small frame's worth, below the limit
        await("the message").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> !inbox.messages.isEmpty());
        assertThat(inbox.snapshot()).containsExactly("w=" + "x".repeat(600) + "@1");
    }

    /**
     * A persistent broker that makes no checkpoint after its start: whatever it acknowledges later is only in the store
     * log, so copying its files ({@link #copyTree}) is what kill -9 leaves behind.
     */
    private EdgeportServer startWithoutCheckpoints(Path dir) throws Exception {
        Properties settings = persistent(dir);
        settings.setProperty("autosave_interval", "3600");
        return start(settings);
    }

    private Properties persistent(Path dir) {
        Properties p = new Properties();
        p.setProperty("persistence_enabled", "true");
        p.setProperty("data_path", dir.toString());
        p.setProperty("autosave_interval", "1");
        return p;
    }

    /** Three offline persistent subscribers with queued QoS 1 messages; all of them arrive after a restart. */
    @Test
    void queuesOfThreeOfflineSessionsSurviveARestart() throws Exception {
        Path data = tmp.resolve("store");
        EdgeportServer first = start(persistent(data));
        List<String> ids = List.of("s1", "s2", "s3");
        for (String id : ids) {
            MqttClient c = client(first, id, false, 30, null);
            c.subscribe("q/" + id, 1);
            c.disconnect();
        }
        MqttClient pub = client(first, "pub", null);
        for (int n = 1; n <= 3; n++) {
            for (String id : ids) {
                publish(pub, "q/" + id, "m" + n, 1);
            }
        }
        pub.disconnect();
        first.stop();

        EdgeportServer second = start(persistent(data));
        assertThat(ids).allMatch(second::hasSession);
        for (String id : ids) {
            Inbox inbox = new Inbox();
            client(second, id, false, 30, inbox);
            await("three messages of the session").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                    .until(() -> inbox.messages.size() >= 3);
            assertThat(inbox.snapshot()).as(id).containsExactly("q/" + id + "=m1@1", "q/" + id + "=m2@1",
                    "q/" + id + "=m3@1");
        }
    }

    /**
     * Acknowledged means stored: the files of a running broker, copied right after the publisher got its PUBACK and
     * with no checkpoint since the subscriber connected, are what kill -9 leaves behind (the store log holds what the
     * MVStore does not yet). A broker started from the copy has the session, its subscription and the message. Also
     * covers Moquette 0.17's own crash trap: sessions stored without an expiry instant made its start fail.
     */
    @Test
    void startsFromTheFilesAKillLeavesBehindWithEveryAcknowledgedMessage() throws Exception {
        Path live = tmp.resolve("live");
        EdgeportServer running = startWithoutCheckpoints(live);
        MqttClient c = client(running, "crashy", false, 30, null);
        c.subscribe("q/crashy", 1);
        c.disconnect();
        MqttClient pub = client(running, "pub", null);
        for (int i = 1; i <= 50; i++) {
            publish(pub, "q/crashy", "kept-" + i, 1); // returns once the PUBACK arrived
        }
        Path crashed = tmp.resolve("crashed");
        copyTree(live, crashed);

        EdgeportServer restarted = start(persistent(crashed));
        assertThat(restarted.hasSession("crashy")).isTrue();
        Inbox inbox = new Inbox();
        client(restarted, "crashy", false, 30, inbox);
        await("the 50 kept messages").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> inbox.messages.size() >= 50);
        assertThat(inbox.snapshot()).hasSize(50).startsWith("q/crashy=kept-1@1").endsWith("q/crashy=kept-50@1");
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /**
     * MQTT 3.1.1 3.1.4: a client may send packets right after CONNECT, before the CONNACK. Moquette 0.17 drops a
     * SUBSCRIBE that it reads before its own CONNACK listener has run ("SUBSCRIBE received on already closed
     * connection"); ConnectedGate holds it until the connection is ready.
     */
    @Test
    void subscribeSentTogetherWithConnectIsAnswered() throws Exception {
        EdgeportServer server = start();
        for (int i = 0; i < 20; i++) {
            try (RawClient raw = new RawClient(server.boundPort(EdgeportServer.MQTT))) {
                io.netty.buffer.ByteBuf both = io.netty.buffer.Unpooled.wrappedBuffer(
                        Packets.encode(Packets.connect("eager-" + i, 30, true)),
                        Packets.encode(io.netty.handler.codec.mqtt.MqttMessageBuilders.subscribe().messageId(7)
                                .addSubscription(MqttQoS.AT_LEAST_ONCE, "eager/#").build()));
                raw.sendRaw(both);
                assertThat(Packets.type(raw.receive())).isEqualTo(MqttMessageType.CONNACK);
                io.netty.handler.codec.mqtt.MqttMessage ack = raw.receive();
                assertThat(Packets.type(ack)).as("attempt %s", i).isEqualTo(MqttMessageType.SUBACK);
                assertThat(Packets.id(ack)).isEqualTo(7);
            }
        }
    }

    /**
     * A fire-and-forget publisher as mosquitto_pub is: CONNECT, wait for the CONNACK, then QoS 0 PUBLISH and DISCONNECT
     * in one segment and the socket closes at once. The publish must not be lost while ConnectedGate holds it.
     */
    @Test
    void qos0PublisherThatClosesAtOnceIsNotLost() throws Exception {
        EdgeportServer server = start();
        Inbox inbox = new Inbox();
        client(server, "listener", inbox).subscribe("fire/#", 0);
        int n = 30;
        for (int i = 0; i < n; i++) {
            try (RawClient raw = new RawClient(server.boundPort(EdgeportServer.MQTT))) {
                raw.send(Packets.connect("fire-" + i, 30, true));
                assertThat(Packets.type(raw.receive())).isEqualTo(MqttMessageType.CONNACK);
                raw.sendRaw(io.netty.buffer.Unpooled.wrappedBuffer(
                        Packets.encode(rawPublish("fire/" + i, MqttQoS.AT_MOST_ONCE, 0, false, "x")),
                        Packets.encode(new io.netty.handler.codec.mqtt.MqttMessage(
                                new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false,
                                        0)))));
            }
        }
        await("every message").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> inbox.messages.size() == n);
        assertThat(inbox.messages).hasSize(n);
    }
}
