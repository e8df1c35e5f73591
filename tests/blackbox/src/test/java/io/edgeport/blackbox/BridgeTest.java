package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.edgeport.testsupport.MosquittoBroker;
import io.edgeport.testsupport.net.Ports;

/**
 * The bridge feature in the exported gateway, configured through the console as an operator would: a real Mosquitto
 * 2.0 upstream is stopped for 30 s while devices publish and every reading the gateway acknowledged arrives upstream,
 * in order per device; two gateways bridged both ways do not send messages back and forth.
 */
class BridgeTest {

    private final Path dir = Path.of("target", "bridge-" + UUID.randomUUID()).toAbsolutePath();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            try {
                closing.get(i).close();
            } catch (Exception e) {
                // the others still close
            }
        }
    }

    private Gateway gateway(String name) throws Exception {
        Gateway g = new Gateway(Files.createDirectories(dir.resolve(name)))
                .with("edgeport.features.boot", "telemetry,bridge");
        closing.add(() -> {
            g.stop();
            g.saveLog("bridge-" + name);
        });
        return g.start();
    }

    private static String bridge(Gateway g, Map<String, String> values) throws Exception {
        return Telemetry.createFactoryConfiguration(new Console(g), "io.edgeport.bridge", values);
    }

    /**
     * A subscriber whose callback is in place before it connects: a resumed persistent session gets its queued
     * messages right after the CONNACK, before a listener given with SUBSCRIBE exists (Paho would drop them).
     */
    private MqttClient subscriber(String uri, String id, boolean clean, List<String> got, String filter)
            throws MqttException {
        MqttClient c = new MqttClient(uri, id, new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        c.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                got.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        o.setCleanSession(clean);
        o.setAutomaticReconnect(false);
        o.setMaxInflight(1000);
        c.connect(o);
        c.subscribe(filter, 1);
        closing.add(() -> Clients.close(c));
        return c;
    }

    @Test
    void aThirtySecondUpstreamOutageUnderLoadLosesNoAcknowledgedReading() throws Exception {
        Files.createDirectories(dir);
        int port = Ports.free();
        String conf = "allow_anonymous true\npersistence true\npersistence_location " + dir + "/\n";
        MosquittoBroker upstream = new MosquittoBroker(dir, port, conf);
        closing.add(() -> upstream.close());
        List<String> got = new CopyOnWriteArrayList<>();
        Clients.close(subscriber(upstream.uri(), "central", false, got, "site-a/#")); // a persistent session there

        Gateway gw = gateway("gw");
        bridge(gw, Map.of("connection", "central", "address", "127.0.0.1:" + port, "topic",
                "sensors/# out 1 \"\" site-a/", "remote_clientid", "gw-site-a"));
        await("the bridge connected").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> gw.log().contains("Bridge central connected"));

        int devices = 5;
        AtomicBoolean stop = new AtomicBoolean();
        BitSet[] acked = new BitSet[devices];
        List<Thread> fleet = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            BitSet mine = acked[d] = new BitSet();
            String id = "dev" + d;
            MqttClient c = Clients.paho("tcp://127.0.0.1:" + gw.mqttPort, id, true);
            closing.add(() -> Clients.close(c));
            Thread t = new Thread(() -> {
                try {
                    for (int seq = 0; !stop.get(); seq++) {
                        c.publish("sensors/lab/counter/" + id + "/reading",
                                Integer.toString(seq).getBytes(StandardCharsets.UTF_8), 1, false); // returns at PUBACK
                        synchronized (mine) {
                            mine.set(seq);
                        }
                        TimeUnit.MILLISECONDS.sleep(10); // pacing of the device: ~100 readings/s each
                    }
                } catch (MqttException | InterruptedException e) {
                    // stopped
                }
            }, "device-" + id);
            t.start();
            fleet.add(t);
        }
        // Each phase lasts until every device had its readings acknowledged for a while (about 100 a second each).
        int[] start = AckedReadings.acknowledged(acked);
        await("500 readings of each device acknowledged before the outage").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> AckedReadings.eachAtLeast(acked, start, 500));
        upstream.close(); // SIGTERM: Mosquitto writes its persistence file
        // The outage, the devices go on: about 30 s of their readings.
        int[] down = AckedReadings.acknowledged(acked);
        await("the bridge saw the upstream go").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> gw.log().contains("Bridge central: connection lost"));
        await("3000 readings of each device acknowledged during the outage").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200)).until(() -> AckedReadings.eachAtLeast(acked, down, 3000));
        MosquittoBroker again = new MosquittoBroker(dir, port, conf);
        closing.add(() -> again.close());
        int[] back = AckedReadings.acknowledged(acked);
        await("the bridge connected again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> gw.log().split("Bridge central connected", -1).length > 2);
        await("500 readings of each device acknowledged after the outage").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> AckedReadings.eachAtLeast(acked, back, 500));
        stop.set(true);
        for (Thread t : fleet) {
            t.join(10_000);
        }
        int total = 0;
        for (BitSet b : acked) {
            total += b.cardinality();
        }
        int expected = total;
        subscriber(again.uri(), "central", false, got, "site-a/#");
        try {
            await(expected + " readings upstream").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> new LinkedHashSet<>(got).size() >= expected);
        } catch (ConditionTimeoutException e) {
            // the assertions below say which are missing
        }

        Map<String, List<Integer>> firstSeen = new HashMap<>();
        for (String line : new LinkedHashSet<>(got)) {
            assertThat(line).startsWith("site-a/sensors/lab/counter/dev");
            String device = line.split("/")[4];
            firstSeen.computeIfAbsent(device, k -> new ArrayList<>())
                    .add(Integer.parseInt(line.substring(line.indexOf(' ') + 1)));
        }
        for (int d = 0; d < devices; d++) {
            List<Integer> seq = firstSeen.getOrDefault("dev" + d, List.of());
            assertThat(seq).as("dev%d: in order", d).isSorted();
            BitSet arrived = new BitSet();
            seq.forEach(arrived::set);
            BitSet missing = (BitSet) acked[d].clone();
            missing.andNot(arrived);
            assertThat(missing.toString()).as("dev%d: acknowledged by the gateway but not upstream (%d of %d arrived)", d,
                    arrived.cardinality(), acked[d].cardinality()).isEqualTo("{}");
        }
        assertThat(total).as("readings acknowledged during the run").isGreaterThan(devices * 1000);
        assertThat(gw.log()).as("no stack trace").doesNotContain("\tat ");
    }

    @Test
    void twoGatewaysBridgedBothWaysDoNotLoop() throws Exception {
        Gateway a = gateway("a");
        Gateway b = gateway("b");
        bridge(a, Map.of("connection", "to-b", "address", "127.0.0.1:" + b.mqttPort, "topic", "plant/# both 1",
                "remote_clientid", "gw-a"));
        await("a's bridge connected").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> a.log().contains("Bridge to-b connected"));
        List<String> state = new CopyOnWriteArrayList<>();
        subscriber("tcp://127.0.0.1:" + b.mqttPort, "watch-state", true, state, "$SYS/broker/connection/#");
        await("b holds a's bridge state").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> state.contains("$SYS/broker/connection/gw-a/state 1"));
        List<String> onA = new CopyOnWriteArrayList<>();
        List<String> onB = new CopyOnWriteArrayList<>();
        MqttClient clientA = subscriber("tcp://127.0.0.1:" + a.mqttPort, "watch-a", true, onA, "plant/#");
        MqttClient clientB = subscriber("tcp://127.0.0.1:" + b.mqttPort, "watch-b", true, onB, "plant/#");

        clientA.publish("plant/from-a", "1".getBytes(StandardCharsets.UTF_8), 1, false);
        clientB.publish("plant/from-b", "2".getBytes(StandardCharsets.UTF_8), 1, false);
        await("each on the other side").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> onB.contains("plant/from-a 1")
                        && onA.contains("plant/from-b 2"));
        // Markers after them: whatever would loop back comes before these arrive.
        for (int i = 0; i < 3; i++) {
            clientA.publish("plant/marker-a", Integer.toString(i).getBytes(StandardCharsets.UTF_8), 1, false);
            clientB.publish("plant/marker-b", Integer.toString(i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
        await("the markers crossed").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> onB.contains("plant/marker-a 2")
                        && onA.contains("plant/marker-b 2"));
        assertThat(onA).as("on gateway a").containsExactlyInAnyOrder("plant/from-a 1", "plant/from-b 2",
                "plant/marker-a 0", "plant/marker-a 1", "plant/marker-a 2", "plant/marker-b 0", "plant/marker-b 1",
                "plant/marker-b 2");
        assertThat(onB).as("on gateway b").containsExactlyInAnyOrder("plant/from-a 1", "plant/from-b 2",
                "plant/marker-a 0", "plant/marker-a 1", "plant/marker-a 2", "plant/marker-b 0", "plant/marker-b 1",
                "plant/marker-b 2");
    }

}
