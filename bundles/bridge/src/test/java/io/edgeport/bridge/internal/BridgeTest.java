package io.edgeport.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.edgeport.commons.bridge.BridgeSettings;
import io.edgeport.testsupport.MosquittoBroker;
import io.edgeport.testsupport.OpenSslCa;
import io.edgeport.testsupport.net.Ports;
import io.edgeport.testsupport.TestMessageStore;

/**
 * A bridge between the gateway's real message store and a real Mosquitto 2.0 upstream: nothing acknowledged is lost
 * across an upstream restart, in order per device; in topics come in, echoes do not; TLS and mutual TLS.
 */
class BridgeTest {

    private final Path dir = Path.of("target", "bridge-test-" + UUID.randomUUID());
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<String> local = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    private Bridge bridge(TestMessageStore store, Map<String, Object> values) throws Exception {
        Map<String, Object> v = new HashMap<>(values);
        v.putIfAbsent("connection", "up");
        v.putIfAbsent("remote_clientid", "edgeport-bridge-test");
        Bridge b = new Bridge(BridgeSettings.from(v, "test"), () -> store,
                (topic, payload, qos, retain, origin) -> local.add(topic + " " + new String(payload,
                        StandardCharsets.UTF_8) + " " + origin + (retain ? " retained" : "")));
        b.start();
        return closeLater(b);
    }

    /** A Paho client on the upstream that records "topic payload" of what it receives. */
    private MqttClient upstreamClient(String uri, String id, boolean clean, List<String> got, String... filters)
            throws Exception {
        MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                got.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(clean);
        o.setMaxInflight(1000);
        c.connect(o);
        for (String f : filters) {
            c.subscribe(f, 1);
        }
        closeLater(() -> {
            if (c.isConnected()) {
                c.disconnectForcibly(100, 100);
            }
            c.close(true);
        });
        return c;
    }

    private static boolean registered(TestMessageStore store, String consumer) {
        return store.statistics().consumers().stream().anyMatch(c -> c.name().equals(consumer));
    }

    @Test
    void anUpstreamRestartUnderLoadLosesNothingAndKeepsEachDevicesOrder() throws Exception {
        Files.createDirectories(dir);
        int port = Ports.free();
        String conf = "allow_anonymous true\npersistence true\npersistence_location " + dir.toAbsolutePath() + "/\n";
        MosquittoBroker upstream = new MosquittoBroker(dir, port, conf);
        TestMessageStore store = closeLater(new TestMessageStore(dir.resolve("store")));
        List<String> got = new CopyOnWriteArrayList<>();
        upstreamClient(upstream.uri(), "verifier", false, got, "plant/#").disconnect();
        Bridge bridge = bridge(store, Map.of("address", new String[] {"127.0.0.1:" + port},
                "topic", new String[] {"sensors/# out 1 \"\" plant/"}));
        await("the bridge registered in the store").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> registered(store, "bridge-up"));
        await("connected").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> bridge.status().state().equals("connected"));

        int devices = 3;
        int perDevice = 1000;
        AtomicInteger published = new AtomicInteger();
        Thread publisher = new Thread(() -> {
            try {
                for (int i = 0; i < perDevice; i++) {
                    for (int d = 0; d < devices; d++) {
                        store.publish("d" + d, "sensors/d" + d, ("d" + d + ":" + i).getBytes(StandardCharsets.UTF_8),
                                1);
                        published.incrementAndGet();
                    }
                    if (i % 50 == 0) {
                        TimeUnit.MILLISECONDS.sleep(20); // pacing of the fleet (load generator), not a wait
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        publisher.start();
        await("some messages sent").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> bridge.status().sent() > 300);
        upstream.close(); // SIGTERM: Mosquitto writes its persistence file
        await("the bridge saw the upstream go").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !bridge.status().state().equals("connected"));
        // An outage while the fleet goes on publishing into the store: the bridge tries the upstream and fails, and
        // another round of the fleet's messages (or the rest of them) lands in the store meanwhile.
        int atOutage = published.get();
        await("the bridge failed to reach the upstream that is down").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> bridge.status().lastError().startsWith("cannot connect"));
        await("the fleet published into the store during the outage").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> published.get() >= Math.min(atOutage + 150, devices * perDevice));
        upstream = closeLater(new MosquittoBroker(dir, port, conf));
        publisher.join(60_000);
        await("the bridge caught up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> bridge.status().lagBytes() == 0 && bridge.status().state().equals("connected"));

        upstreamClient(upstream.uri(), "verifier", false, got, "plant/#");
        await("every message upstream").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> new LinkedHashSet<>(got).size() == devices * perDevice);
        Map<String, List<Integer>> firstSeen = new HashMap<>();
        for (String line : new LinkedHashSet<>(got)) {
            String[] p = line.split(" ")[1].split(":");
            firstSeen.computeIfAbsent(p[0], k -> new ArrayList<>()).add(Integer.parseInt(p[1]));
        }
        for (int d = 0; d < devices; d++) {
            List<Integer> seq = firstSeen.get("d" + d);
            assertThat(seq).as("device d" + d + " in order, none missing").hasSize(perDevice)
                    .isSorted();
        }
        assertThat(got).allMatch(l -> l.startsWith("plant/sensors/d"));
    }

    @Test
    void inTopicsComeInMarkedEchoesAndOwnMessagesStayAndTheStateIsNotified() throws Exception {
        Files.createDirectories(dir);
        MosquittoBroker upstream = closeLater(new MosquittoBroker(dir));
        TestMessageStore store = closeLater(new TestMessageStore(dir.resolve("store")));
        List<String> got = new CopyOnWriteArrayList<>();
        MqttClient remote = upstreamClient(upstream.uri(), "remote-app", true, got, "shared/#");
        Bridge bridge = bridge(store, Map.of("address", new String[] {"127.0.0.1:" + upstream.port},
                "topic", new String[] {"cmd/# in 1", "shared/# both 1"}));
        await("the bridge registered in the store").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> registered(store, "bridge-up"));
        await("the state notified locally").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> local.contains("$SYS/broker/connection/edgeport-bridge-test/state 1 $bridge:up retained"));

        remote.publish("cmd/valve", "open".getBytes(StandardCharsets.UTF_8), 1, false);
        await("the command came in").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> local.contains("cmd/valve open $bridge:up"));

        store.publish("sensor-7", "shared/a", "from-gateway".getBytes(StandardCharsets.UTF_8), 1);
        store.publish("$bridge:up", "shared/c", "came-in-before".getBytes(StandardCharsets.UTF_8), 1);
        store.publish("sensor-7", "shared/d", "marker".getBytes(StandardCharsets.UTF_8), 1);
        await("shared/a and the marker upstream").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> got.contains("shared/d marker"));
        assertThat(got).as("what the bridge itself brought in is not sent back")
                .containsExactly("shared/a from-gateway", "shared/d marker");

        remote.publish("shared/b", "from-upstream".getBytes(StandardCharsets.UTF_8), 1, false);
        await("shared/b came in").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> local.contains("shared/b from-upstream $bridge:up"));
        assertThat(local).as("the upstream's echo of shared/a was dropped").noneMatch(l -> l.startsWith("shared/a"))
                .noneMatch(l -> l.startsWith("shared/d"));
        assertThat(bridge.status().echoesDropped()).isEqualTo(2);
    }

    @Test
    void tlsAndMutualTlsToTheUpstream() throws Exception {
        Files.createDirectories(dir);
        OpenSslCa ca = OpenSslCa.create(dir.resolve("certs")).client("gateway-7").client("reader");
        int port = Ports.free();
        // Only the user named by the bridge's certificate may publish under t/; "reader" may read it.
        Path acl = Files.writeString(dir.resolve("acl"), "user gateway-7\ntopic write t/#\nuser reader\n"
                + "topic read t/#\n");
        MosquittoBroker upstream = closeLater(new MosquittoBroker(dir, port, "listener " + port + " 127.0.0.1\n"
                + "allow_anonymous true\nacl_file " + acl.toAbsolutePath() + "\ncafile " + ca.path("ca.crt").toAbsolutePath() + "\ncertfile "
                + ca.path("server.crt").toAbsolutePath() + "\nkeyfile " + ca.path("server.key").toAbsolutePath()
                + "\nrequire_certificate true\nuse_identity_as_username true\n"));
        TestMessageStore store = closeLater(new TestMessageStore(dir.resolve("store")));

        // Without a client certificate the upstream refuses the handshake: the bridge says so and keeps trying.
        Bridge refused = bridge(store, Map.of("connection", "nocert", "address", new String[] {"127.0.0.1:" + port},
                "topic", new String[] {"t/# out 1"}, "bridge_cafile", ca.path("ca.crt").toString()));
        await("an error named").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> !refused.status().lastError().isEmpty());
        assertThat(refused.status().state()).isNotEqualTo("connected");

        Bridge bridge = bridge(store, Map.of("address", new String[] {"127.0.0.1:" + port},
                "topic", new String[] {"t/# out 1"}, "bridge_cafile", ca.path("ca.crt").toString(),
                "bridge_certfile", ca.path("gateway-7.crt").toString(),
                "bridge_keyfile", ca.path("gateway-7.key").toString(), "notifications_local_only", true));
        await("connected over mutual TLS").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> bridge.status().state().equals("connected"));
        assertThat(bridge.status().upstream()).isEqualTo("ssl://127.0.0.1:" + port);
        List<String> got = new CopyOnWriteArrayList<>();
        // the verifier connects over TLS too: the listener requires a certificate of everyone
        MqttClient verifier = new MqttClient("ssl://127.0.0.1:" + port, "verifier", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(Tls.socketFactory(BridgeSettings.from(Map.of("connection", "v",
                "address", new String[] {"x"}, "topic", new String[] {"t"}, "bridge_cafile",
                ca.path("ca.crt").toString(), "bridge_certfile", ca.path("reader.crt").toString(),
                "bridge_keyfile", ca.path("reader.key").toString()), "h")));
        verifier.connect(o);
        closeLater(() -> {
            verifier.disconnectForcibly(100, 100);
            verifier.close(true);
        });
        verifier.subscribe("t/#", 1, (t, m) -> got.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
        await("the bridge registered in the store").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> registered(store, "bridge-up"));
        store.publish("sensor-1", "t/x", "over-tls".getBytes(StandardCharsets.UTF_8), 1);
        await("the message upstream, published as the certificate's user").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20)).until(() -> got.contains("t/x over-tls"));
    }
}
