package io.edgeport.broker.engine.internal.pipeline;

import io.edgeport.broker.engine.EngineSettings.CertificateUsername;
import io.edgeport.broker.engine.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
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
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptPublishMessage;
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
 * Retained messages as MQTT 3.1.1 section 3.3.1.3 wants them, which Moquette 0.17 gets wrong in three ways: a QoS 0
 * retained PUBLISH is not stored and wipes the stored one; retained copies sent on SUBSCRIBE at QoS 1/2 carry RETAIN=0
 * and overlapping filters get one copy each; a will's retain flag is ignored. Paho over loopback, ephemeral ports.
 */
class RetainedMessagesTest {

    @TempDir
    Path tmp;
    private final List<MqttClient> clients = new ArrayList<>();
    private EdgeportServer server;

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
        if (server != null) {
            server.stop();
        }
    }

    private EdgeportServer start() throws Exception {
        return start(new Properties());
    }

    private EdgeportServer start(Properties extra) throws Exception {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", "0");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("data_path", tmp.resolve("data").toString());
        p.setProperty("telemetry_enabled", "false");
        p.putAll(extra);
        server = new EdgeportServer();
        server.start(new MemoryConfig(p), List.of(), (io.netty.handler.ssl.SslContext) null, null, null,
                new ChannelPipelines(0, 65_535, 0, CertificateUsername.NONE, Topics::matches));
        return server;
    }

    /** Records "topic=payload@qos" plus " R" when the RETAIN flag was set. */
    static final class Inbox implements MqttCallback {
        final List<String> messages = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
            messages.add(topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8) + "@" + m.getQos()
                    + (m.isRetained() ? " R" : ""));
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

    private MqttClient client(String id, Inbox inbox) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.boundPort(EdgeportServer.MQTT), id,
                new MemoryPersistence());
        clients.add(c);
        c.setTimeToWait(10_000);
        if (inbox != null) {
            c.setCallback(inbox);
        }
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setConnectionTimeout(10);
        // Paho's sync publish returns before it frees its in-flight slot (paho.mqtt.java#551): 30 quick QoS 1
        // publishes sometimes failed with "Too many publishes in progress" at the default window of 10.
        o.setMaxInflight(1000);
        c.connect(o);
        return c;
    }

    private static void publish(MqttClient c, String topic, String payload, int qos, boolean retained)
            throws MqttException {
        c.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retained);
    }

    /**
     * A QoS 1 publish by the same client, answered only after the broker processed everything that client sent
     * before it (Moquette handles one client's packets in order on its session loop).
     */
    private static void settle(MqttClient c) throws MqttException {
        publish(c, "settle/" + c.getClientId(), "s", 1, false);
    }

    /** Subscribes a new client and returns what it got once a live marker published after the SUBACK arrived. */
    private List<String> retainedSeenBy(String id, String[] filters, int[] qos) throws Exception {
        Inbox inbox = new Inbox();
        MqttClient c = client(id, inbox);
        String[] f = new String[filters.length + 1];
        int[] q = new int[qos.length + 1];
        System.arraycopy(filters, 0, f, 0, filters.length);
        System.arraycopy(qos, 0, q, 0, qos.length);
        f[filters.length] = "marker/" + id;
        q[qos.length] = 1;
        c.subscribe(f, q);
        MqttClient marker = client(id + "-marker", null);
        publish(marker, "marker/" + id, "end", 1, false);
        await("the marker after the SUBACK").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> inbox.messages.contains("marker/" + id + "=end@1"));
        List<String> got = new ArrayList<>(inbox.snapshot());
        got.remove("marker/" + id + "=end@1");
        return got;
    }

    // ---- defect 1: QoS 0 retained messages ----

    @Test
    void qos0RetainedMessageIsStoredAndReplayedAtQos0() throws Exception {
        start();
        MqttClient pub = client("pub", null);
        publish(pub, "r/a", "A", 0, true);
        settle(pub);

        assertThat(server.retainedCount()).isEqualTo(1);
        assertThat(retainedSeenBy("sub", new String[] {"r/a"}, new int[] {2})).containsExactly("r/a=A@0 R");
    }

    @Test
    void qos0RetainedAfterQos1RetainedReplacesIt() throws Exception {
        start();
        Inbox live = new Inbox(); // a live subscriber: Moquette then wipes the store asynchronously, after routing
        client("live", live).subscribe("r/#", 2);
        MqttClient pub = client("pub", null);
        publish(pub, "r/b", "B", 1, true);
        publish(pub, "r/b", "A", 0, true);
        settle(pub);

        assertThat(retainedSeenBy("sub", new String[] {"r/b"}, new int[] {1})).containsExactly("r/b=A@0 R");
        await("both live messages").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> live.messages.size() >= 2);
        assertThat(live.snapshot()).containsExactly("r/b=B@1", "r/b=A@0");
    }

    @Test
    void qos1RetainedAfterQos0RetainedReplacesIt() throws Exception {
        start();
        client("live", new Inbox()).subscribe("r/#", 2);
        MqttClient pub = client("pub", null);
        publish(pub, "r/c", "A", 0, true);
        publish(pub, "r/c", "B", 1, true);
        settle(pub);

        assertThat(retainedSeenBy("sub", new String[] {"r/c"}, new int[] {2})).containsExactly("r/c=B@1 R");
    }

    @Test
    void manyAlternatingRetainedPublishesLeaveTheLastOne() throws Exception {
        start();
        client("live", new Inbox()).subscribe("r/#", 2);
        MqttClient pub = client("pub", null);
        for (int i = 0; i < 40; i++) {
            publish(pub, "r/d", "v" + i, i % 3, true);
        }
        settle(pub);

        assertThat(retainedSeenBy("sub", new String[] {"r/d"}, new int[] {2})).containsExactly("r/d=v39@0 R");
    }

    @Test
    void emptyQos0RetainedMessageDeletesTheStoredOne() throws Exception {
        start();
        MqttClient pub = client("pub", null);
        publish(pub, "r/e", "B", 1, true);
        publish(pub, "r/e", "", 0, true);
        settle(pub);

        assertThat(server.retainedCount()).isZero();
        assertThat(retainedSeenBy("sub", new String[] {"r/#"}, new int[] {2})).isEmpty();
    }

    @Test
    void qos0RetainedMessageSurvivesARestartWithPersistence() throws Exception {
        Properties persistent = new Properties();
        persistent.setProperty("persistence_enabled", "true");
        persistent.setProperty("data_path", tmp.resolve("store").toString());
        start(persistent);
        MqttClient pub = client("pub", null);
        publish(pub, "p/a", "kept", 0, true);
        settle(pub);
        pub.disconnect();
        server.stop();

        start(persistent);
        assertThat(retainedSeenBy("sub", new String[] {"p/#"}, new int[] {1})).containsExactly("p/a=kept@0 R");
    }

    @Test
    void interceptorsStillSeeTheRetainFlagOfQos0Publishes() throws Exception {
        start();
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        server.addInterceptHandler(new AbstractInterceptHandler() {
            @Override
            public String getID() {
                return "test";
            }

            @Override
            public void onPublish(InterceptPublishMessage msg) {
                seen.add(msg.getTopicName() + (msg.isRetainFlag() ? " R" : ""));
                super.onPublish(msg);
            }

            @Override
            public void onSessionLoopError(Throwable error) {
            }
        });
        MqttClient pub = client("pub", null);
        publish(pub, "r/f", "A", 0, true);
        settle(pub);
        await("two observed publishes").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> seen.size() >= 2);
        assertThat(seen).contains("r/f R");
    }

    @Test
    void internalQos0RetainedPublishIsStored() throws Exception {
        start();
        server.internalPublish(new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_MOST_ONCE, true, 0),
                new MqttPublishVariableHeader("$SYS/broker/uptime", 0),
                Unpooled.copiedBuffer("42", StandardCharsets.UTF_8)), "test");

        assertThat(server.retainedCount()).isEqualTo(1);
        assertThat(retainedSeenBy("sys", new String[] {"$SYS/broker/uptime"}, new int[] {1}))
                .containsExactly("$SYS/broker/uptime=42@0 R");
    }

    // ---- defect 2: retained copies on SUBSCRIBE carry RETAIN=1 at every QoS, live ones 0 ----

    @Test
    void retainedCopiesCarryTheRetainFlagAtEveryQos() throws Exception {
        start();
        MqttClient pub = client("pub", null);
        publish(pub, "k/2", "two", 2, true);
        publish(pub, "k/1", "one", 1, true);
        publish(pub, "k/0", "zero", 0, true);
        settle(pub);

        assertThat(retainedSeenBy("s2", new String[] {"k/2"}, new int[] {2})).containsExactly("k/2=two@2 R");
        assertThat(retainedSeenBy("s1", new String[] {"k/1"}, new int[] {1})).containsExactly("k/1=one@1 R");
        assertThat(retainedSeenBy("s1b", new String[] {"k/2"}, new int[] {1})).containsExactly("k/2=two@1 R");
        assertThat(retainedSeenBy("s0", new String[] {"k/2"}, new int[] {0})).containsExactly("k/2=two@0 R");
        assertThat(retainedSeenBy("all", new String[] {"k/+"}, new int[] {2}))
                .containsExactlyInAnyOrder("k/2=two@2 R", "k/1=one@1 R", "k/0=zero@0 R");
    }

    @Test
    void liveMessagesCarryNoRetainFlagEvenWhenPublishedRetained() throws Exception {
        start();
        Inbox inbox = new Inbox();
        client("sub", inbox).subscribe("l/#", 2);
        MqttClient pub = client("pub", null);
        publish(pub, "l/x", "r1", 1, true);
        publish(pub, "l/x", "r2", 2, true);
        publish(pub, "l/x", "r0", 0, true);
        await("three messages").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> inbox.messages.size() >= 3);
        // any order: Paho hands a QoS 2 message to the application only after PUBREL
        assertThat(inbox.snapshot()).containsExactlyInAnyOrder("l/x=r1@1", "l/x=r2@2", "l/x=r0@0");
    }

    @Test
    void overlappingFiltersGetOneRetainedCopyAtTheHighestQos() throws Exception {
        start();
        MqttClient pub = client("pub", null);
        publish(pub, "o/a", "x", 2, true);
        settle(pub);

        assertThat(retainedSeenBy("sub", new String[] {"o/#", "o/+", "o/a"}, new int[] {0, 2, 1}))
                .containsExactly("o/a=x@2 R");
    }

    @Test
    void manyRetainedMessagesBeyondTheInflightWindowAllCarryTheFlag() throws Exception {
        start();
        MqttClient pub = client("pub", null);
        for (int i = 0; i < 30; i++) {
            publish(pub, "m/" + i, "v" + i, 1, true);
        }
        settle(pub);

        List<String> got = retainedSeenBy("sub", new String[] {"m/#"}, new int[] {1});
        assertThat(got).hasSize(30).allMatch(s -> s.endsWith("@1 R"));
    }

    /** A retained copy that is not acknowledged is resent after 5 s with DUP=1 and still RETAIN=1. */
    @Test
    void resentRetainedCopyKeepsTheRetainFlag() throws Exception {
        start();
        MqttClient pub = client("pub", null);
        publish(pub, "d/a", "x", 1, true);
        settle(pub);
        try (RawClient raw = new RawClient(server.boundPort(EdgeportServer.MQTT))) {
            raw.send(Packets.connect("raw", 30, true));
            assertThat(Packets.connAckCode(raw.receive())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            raw.send(MqttMessageBuilders.subscribe().messageId(7).addSubscription(MqttQoS.AT_LEAST_ONCE, "d/#")
                    .build());
            assertThat(Packets.type(raw.receive())).isEqualTo(MqttMessageType.SUBACK);
            MqttPublishMessage first = (MqttPublishMessage) raw.receive();
            assertThat(first.fixedHeader().isRetain()).isTrue();
            assertThat(first.fixedHeader().isDup()).isFalse();
            first.release();
            MqttPublishMessage again = (MqttPublishMessage) receiveSlowly(raw); // resent 5-10 s later
            assertThat(again.fixedHeader().isDup()).isTrue();
            assertThat(again.fixedHeader().isRetain()).isTrue();
            assertThat(again.variableHeader().packetId()).isEqualTo(first.variableHeader().packetId());
            again.release();
        }
    }

    /**
     * Moquette's resender runs every 5 s and resends what is older than 5 s, so a resend may take up to 10 s, as long
     * as RawClient's read timeout: allow a second read.
     */
    private static io.netty.handler.codec.mqtt.MqttMessage receiveSlowly(RawClient raw) throws Exception {
        try {
            return raw.receive();
        } catch (java.net.SocketTimeoutException e) {
            return raw.receive();
        }
    }

    // ---- the will's retain flag ----

    @Test
    void retainedWillIsStoredWhenTheConnectionIsLost() throws Exception {
        start();
        Inbox live = new Inbox();
        client("live", live).subscribe("will/#", 2);
        try (RawClient raw = new RawClient(server.boundPort(EdgeportServer.MQTT))) {
            raw.send(MqttMessageBuilders.connect().clientId("dying").protocolVersion(MqttVersion.MQTT_3_1_1)
                    .keepAlive(30).cleanSession(true).willFlag(true).willTopic("will/dying")
                    .willMessage("gone".getBytes(StandardCharsets.UTF_8)).willQoS(MqttQoS.AT_LEAST_ONCE)
                    .willRetain(true).build());
            assertThat(Packets.connAckCode(raw.receive())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        } // socket closed without DISCONNECT: the will fires
        await("the will").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> !live.messages.isEmpty());
        assertThat(live.snapshot()).containsExactly("will/dying=gone@1");
        await("the will retained").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> server.retainedCount() > 0);

        assertThat(retainedSeenBy("sub", new String[] {"will/+"}, new int[] {2}))
                .containsExactly("will/dying=gone@1 R");
    }

    @Test
    void willWithoutRetainIsNotStoredAndDisconnectSendsNoWill() throws Exception {
        start();
        Inbox live = new Inbox();
        client("live", live).subscribe("will/#", 2);
        try (RawClient raw = new RawClient(server.boundPort(EdgeportServer.MQTT))) {
            raw.send(MqttMessageBuilders.connect().clientId("plain").protocolVersion(MqttVersion.MQTT_3_1_1)
                    .keepAlive(30).cleanSession(true).willFlag(true).willTopic("will/plain")
                    .willMessage("gone".getBytes(StandardCharsets.UTF_8)).willQoS(MqttQoS.AT_MOST_ONCE).build());
            raw.receive();
        }
        try (RawClient raw = new RawClient(server.boundPort(EdgeportServer.MQTT))) {
            raw.send(MqttMessageBuilders.connect().clientId("polite").protocolVersion(MqttVersion.MQTT_3_1_1)
                    .keepAlive(30).cleanSession(true).willFlag(true).willTopic("will/polite")
                    .willMessage("gone".getBytes(StandardCharsets.UTF_8)).willQoS(MqttQoS.AT_MOST_ONCE)
                    .willRetain(true).build());
            raw.receive();
            raw.send(MqttMessageBuilders.disconnect().build());
        }
        await("the plain client's will").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> !live.messages.isEmpty());
        await("the polite client's will does not come").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(20)).until(() -> live.messages.size() == 1);
        assertThat(live.snapshot()).containsExactly("will/plain=gone@0");
        assertThat(server.retainedCount()).isZero();
    }
}
