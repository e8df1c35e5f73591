package io.edgeport.itest;

import io.edgeport.testsupport.net.Ports;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;

import io.edgeport.api.broker.BrokerService;
import io.edgeport.api.broker.ClientSession;

/**
 * Factory configurations of plugin bundles created, updated and deleted through ConfigAdmin while MQTT clients run:
 * a simulated fleet (io.edgeport.simulator.fleet) and a JDBC sink on H2 (io.edgeport.sink.jdbc). The broker and the
 * clients that are not part of the change are never disturbed; the sink, deleted and created again under load, still
 * stores every reading exactly once.
 */
class FactoryConfigurationsTest {

    static final String FLEET_PID = "io.edgeport.simulator.fleet";
    static final String SINK_PID = "io.edgeport.sink.jdbc";
    /** The broker's store and the H2 files outlive a local run: names of earlier runs must not be reused. */
    static final String RUN = Long.toString(System.currentTimeMillis(), 36);

    @InjectService
    ConfigurationAdmin configAdmin;

    int port;
    BrokerService broker;
    MqttClient bystander;

    @BeforeEach
    void broker() throws Exception {
        port = Ports.free();
        broker = Broker.configure(configAdmin, port, Map.of("persistence", true));
        bystander = Broker.connect(port, "bystander-" + RUN);
    }

    @AfterEach
    void cleanUp() throws Exception {
        Broker.close(bystander);
        Broker.deleteFactoryConfigurations(configAdmin, FLEET_PID, SINK_PID);
        Broker.deleteConfiguration(configAdmin);
    }

    private long connected(String prefix) {
        return broker.sessions(prefix, 100).stream().filter(ClientSession::connected).count();
    }

    /** The bystander still round-trips a QoS 1 message through the broker. */
    private void bystanderStillWorks() throws Exception {
        assertThat(bystander.isConnected()).as("a client outside the change stays connected").isTrue();
        AtomicReference<String> got = new AtomicReference<>();
        String topic = "itest/bystander/" + RUN;
        bystander.subscribe(topic, 1, (t, m) -> got.set(new String(m.getPayload(), StandardCharsets.UTF_8)));
        bystander.publish(topic, "still here".getBytes(StandardCharsets.UTF_8), 1, false);
        Await.until("the bystander's own message", Duration.ofSeconds(30), () -> "still here".equals(got.get()));
        bystander.unsubscribe(topic);
    }

    @Test
    void aFleetIsCreatedResizedAndDeletedWhileOtherClientsRun() throws Exception {
        String prefix = "itf-" + RUN + "-";
        Set<String> devicesSeen = ConcurrentHashMap.newKeySet();
        bystander.subscribe("sensors/#", 0, (t, m) -> {
            String[] levels = t.split("/");
            devicesSeen.add(levels[levels.length - 2]); // sensors/{location}/{type}/{device}/reading
        });
        Configuration fleet = configAdmin.getFactoryConfiguration(FLEET_PID, "itest-" + RUN, "?");
        Dictionary<String, Object> p = new Hashtable<>(Map.of("name", "itest-" + RUN, "broker.url",
                "tcp://127.0.0.1:" + port, "devices", 3, "id.prefix", prefix, "interval.ms", 100L,
                "start.jitter.ms", 0L, "qos", 1, "clean.session", true));
        fleet.update(p);
        Await.until("3 devices connected", Duration.ofSeconds(30), () -> connected(prefix) == 3);
        Await.until("readings of 3 devices", Duration.ofSeconds(30),
                () -> devicesSeen.stream().filter(d -> d.startsWith(prefix)).count() == 3);

        p.put("devices", 5);
        fleet.update(p);
        Await.until("5 devices connected after the update", Duration.ofSeconds(30), () -> connected(prefix) == 5);

        fleet.delete();
        Await.until("the fleet's devices gone after the delete", Duration.ofSeconds(30), () -> connected(prefix) == 0);
        bystander.unsubscribe("sensors/#");
        bystanderStillWorks();
    }

    @Test
    void aJdbcSinkDeletedAndCreatedAgainUnderLoadStoresEveryReadingOnce() throws Exception {
        String name = "itest-" + RUN;
        Path db = Path.of(System.getProperty("user.dir"), "target", "itest-sink-" + RUN).toAbsolutePath();
        String url = "jdbc:h2:file:" + db;
        Dictionary<String, Object> p = new Hashtable<>(Map.of("name", name, "url", url, "topics",
                new String[] {"sensors/#"}, "flush.ms", 10L));
        Configuration sink = configAdmin.getFactoryConfiguration(SINK_PID, name, "?");
        sink.update(p);
        MqttClient device = Broker.connect(port, "itest-device-" + RUN);
        try {
            // The pipeline reads the store from where the sink is registered: publish reading 0 until it is stored.
            Await.until("the sink stores a first reading", Duration.ofSeconds(30), () -> {
                publish(device, 0);
                return count(url, "COUNT(DISTINCT seq)") > 0;
            });
            int total = 3000;
            AtomicInteger next = new AtomicInteger(1);
            Thread flow = new Thread(() -> {
                try {
                    for (int i = next.get(); i < total; i = next.incrementAndGet()) {
                        publish(device, i);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "itest-readings");
            flow.start();
            Await.until("a tenth published", Duration.ofSeconds(30), () -> next.get() > total / 10);
            p.put("batch.size", 10);
            sink.update(p); // smaller batches, same sink
            Await.until("a third published", Duration.ofSeconds(30), () -> next.get() > total / 3);
            sink.delete(); // readings published now wait in the message store
            Await.until("two thirds published", Duration.ofSeconds(30), () -> next.get() > 2 * total / 3);
            sink = configAdmin.getFactoryConfiguration(SINK_PID, name, "?");
            sink.update(p); // the same sink again: it goes on from its position
            flow.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(flow.isAlive()).isFalse();
            Await.until("every reading stored", Duration.ofSeconds(30),
                    () -> count(url, "COUNT(DISTINCT seq)") == total);
            // reading 0 was published until the sink had it (several times); every other reading once
            assertThat(count(url, "COUNT(*)", "seq > 0")).as("no reading stored twice").isEqualTo(total - 1);
        } finally {
            Broker.close(device);
        }
        bystanderStillWorks();
    }

    private void publish(MqttClient c, int seq) throws Exception {
        String json = "{\"device_id\":\"itest-" + RUN + "\",\"measurement\":\"temperature\",\"value\":21,\"seq\":"
                + seq + "}";
        c.publish("sensors/lab/temperature/itest-" + RUN + "/reading", json.getBytes(StandardCharsets.UTF_8), 1,
                false);
    }

    /** An aggregate over the sink's readings table (H2 in this JVM: the sink's own database). */
    private static long count(String url, String aggregate) throws Exception {
        return count(url, aggregate, "TRUE");
    }

    private static long count(String url, String aggregate, String where) throws Exception {
        try (Connection c = new org.h2.Driver().connect(url, new Properties());
             Statement s = c.createStatement()) {
            ResultSet r;
            try {
                r = s.executeQuery("SELECT " + aggregate + " FROM readings WHERE " + where);
            } catch (java.sql.SQLException noTableYet) {
                return 0;
            }
            r.next();
            return r.getLong(1);
        }
    }
}
