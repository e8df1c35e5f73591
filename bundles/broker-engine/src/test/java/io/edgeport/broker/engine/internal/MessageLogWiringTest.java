package io.edgeport.broker.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.edgeport.api.store.StoreCursor;
import io.edgeport.api.store.StoredMessage;
import io.edgeport.broker.engine.Engine;
import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;
import io.edgeport.broker.engine.internal.store.MessageLog;

/**
 * The broker puts what in-process consumers want into the message log before it acknowledges it: a message a
 * client's QoS 1/2 publish returned for is already readable (durable) in the log; Last Wills and QoS 0 messages are
 * logged too; what nobody wants is not.
 */
class MessageLogWiringTest {

    @TempDir
    Path tmp;
    private final List<Engine> engines = new ArrayList<>();
    private final List<MqttClient> clients = new ArrayList<>();
    private MessageLog log;

    @AfterEach
    void stop() throws Exception {
        for (MqttClient c : clients) {
            if (c.isConnected()) {
                c.disconnectForcibly(100, 100);
            }
            c.close(true);
        }
        engines.forEach(Engine::close);
        if (log != null) {
            log.close();
        }
    }

    private Engine start(boolean persistence) throws Exception {
        log = MessageLog.open(tmp.resolve("messages"), false, Long.MAX_VALUE, Long.MAX_VALUE / 2,
                Clock.systemUTC());
        EngineSettings.Builder b = EngineSettings.builder().port(Listener.TCP, EngineSettings.ANY_PORT)
                .allowAnonymous(true);
        if (persistence) {
            b.storeDirectory(tmp.resolve("data"));
        }
        Engine engine = RunningEngine.start(b.build(), new TestHooks(), log);
        engines.add(engine);
        return engine;
    }

    private MqttClient client(Engine server, String id, MqttConnectOptions o) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.boundPort(Listener.TCP), id,
                new MemoryPersistence());
        clients.add(c);
        c.setTimeToWait(10_000);
        c.connect(o);
        return c;
    }

    @ParameterizedTest(name = "persistence {0}")
    @ValueSource(booleans = { true, false })
    void aPublishThatReturnedIsAlreadyDurableInTheLog(boolean persistence) throws Exception {
        Engine server = start(persistence);
        StoreCursor cursor = log.open("sink-test", List.of("sensors/#"));
        MqttConnectOptions po = new MqttConnectOptions();
        po.setMaxInflight(1000); // Paho's sync publish returns before it frees the in-flight slot
        MqttClient pub = client(server, "dev-1", po);
        for (int i = 0; i < 200; i++) {
            pub.publish("sensors/a/t/d" + (i % 3) + "/reading", ("r" + i).getBytes(StandardCharsets.UTF_8),
                    1 + i % 2, false);
        }
        pub.publish("other/topic", "x".getBytes(StandardCharsets.UTF_8), 1, false);
        // every publish above returned after its PUBACK/PUBCOMP: all 200 must be readable now, without waiting
        List<StoredMessage> got = new ArrayList<>();
        List<StoredMessage> batch;
        while (!(batch = cursor.poll(1000, 0)).isEmpty()) {
            got.addAll(batch);
        }
        assertThat(got).hasSize(200);
        assertThat(got).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 200).mapToObj(i -> "r" + i).toList());
        assertThat(got.get(0).clientId()).isEqualTo("dev-1");
        assertThat(got.get(1).qos()).isEqualTo(2);
        assertThat(log.statistics().storedMessages()).as("other/topic is nobody's").isEqualTo(200);
    }

    @Test
    void lastWillsAndQos0MessagesAreLoggedToo() throws Exception {
        Engine server = start(true);
        StoreCursor cursor = log.open("alerting", List.of("status/+/health"));
        MqttClient other = client(server, "dev-3", new MqttConnectOptions());
        other.publish("status/dev-3/health", "{\"status\":\"online\"}".getBytes(StandardCharsets.UTF_8), 0, true);
        // a device with a Last Will whose connection drops without DISCONNECT (Paho always sends one)
        try (java.net.Socket dev = new java.net.Socket("127.0.0.1", server.boundPort(Listener.TCP))) {
            dev.getOutputStream().write(connectWithWill("dev-2", "status/dev-2/health",
                    "{\"status\":\"offline\"}"));
            dev.getOutputStream().flush();
            byte[] connack = dev.getInputStream().readNBytes(4);
            assertThat(connack[3]).as("CONNACK accepted").isZero();
        }
        List<String> got = new ArrayList<>();
        await("the status and the will in the log").atMost(Duration.ofSeconds(10)).pollInSameThread()
                .pollInterval(Duration.ofMillis(1)).until(() -> {
                    for (StoredMessage m : cursor.poll(10, 200)) { // a long poll: returns as soon as there are some
                        got.add(m.topic().substring(7, 12) + " " + new String(m.payload(), StandardCharsets.UTF_8)
                                + (m.retain() ? " retained" : ""));
                    }
                    return got.size() >= 2;
                });
        assertThat(got).containsExactly("dev-3 {\"status\":\"online\"} retained",
                "dev-2 {\"status\":\"offline\"} retained");
    }

    /** MQTT 3.1.1 CONNECT, clean session, Last Will at QoS 1 with RETAIN. */
    private static byte[] connectWithWill(String clientId, String willTopic, String willMessage) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(new byte[] { 0, 4, 'M', 'Q', 'T', 'T', 4, 0x2E, 0, 60 });
        for (String s : new String[] { clientId, willTopic, willMessage }) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            body.write(b.length >> 8);
            body.write(b.length & 0xff);
            body.writeBytes(b);
        }
        byte[] v = body.toByteArray();
        java.io.ByteArrayOutputStream packet = new java.io.ByteArrayOutputStream();
        packet.write(0x10);
        packet.write(v.length); // < 128
        packet.writeBytes(v);
        return packet.toByteArray();
    }
}
