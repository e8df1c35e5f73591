package io.edgeport.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.broker.BrokerService;
import io.edgeport.api.broker.BrokerStatistics;
import io.edgeport.testsupport.MosquittoBroker;

/**
 * Fleets against a real Mosquitto 2.0 on a free loopback port, watched by a Paho subscriber. No timing
 * assertions: every wait is for a fact, bounded. Each test uses its own fleet name, so retained statuses of one
 * test do not leak into another.
 */
class FleetMosquittoTest {

    @TempDir
    static Path dir;
    static MosquittoBroker broker;
    /**
     * Anonymous devices, no connection limit, and connects/disconnects in a log file of their own (log_dest file is
     * flushed per line) that the tests read.
     */
    static final String MOSQUITTO_CONF = "allow_anonymous true\nmax_connections -1\n"
            + "log_type error\nlog_type warning\nlog_type notice\n";

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new MosquittoBroker(dir, MOSQUITTO_CONF + "log_dest file " + dir.resolve("notices.log") + "\n");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    private static Fleet fleet(Object... config) throws Exception {
        Object[] all = new Object[config.length + 2];
        all[0] = "broker.url";
        all[1] = broker.uri();
        System.arraycopy(config, 0, all, 2, config.length);
        Fleet f = new Fleet(Configs.settings(all), broker.uri(), new Sequences()::of, Clock.systemUTC());
        f.start();
        return f;
    }

    @Test
    void everyReadingArrivesInOrderOfSeqAndACleanStopLeavesOfflineRetained() throws Exception {
        try (Recorder r = new Recorder(broker.uri(), "rec-clean", "sensors/#", "status/+/health")) {
            Fleet f = fleet("name", "clean", "devices", 20, "interval.ms", 50L, "start.jitter.ms", 200L);
            List<Device> devices = f.devices();
            await("20 readings and an online status from every device").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> devices.stream()
                            .allMatch(d -> "online".equals(r.lastStatus(d.id)) && r.readings(d.id) >= 20));
            assertThat(f.stats().connected()).isEqualTo(20);
            f.stop(5000);
            assertThat(f.stats().connected()).isZero();
            await("every reading the devices counted, and the status of a planned stop").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> devices.stream()
                            .allMatch(d -> r.gapless(d.id, d.seq()) && "stopped".equals(r.lastStatus(d.id))));
            assertThat(r.problems).isEmpty();
            for (Recorder.Message m : r.readings.subList(0, 200)) {
                Map<String, Object> j = m.json();
                String id = (String) j.get("device_id");
                Device d = f.device(id);
                SensorType type = SensorType.byName((String) j.get("measurement"));
                assertThat(m.topic()).isEqualTo("sensors/" + d.location + "/" + type.id() + "/" + id + "/reading");
                assertThat(id).startsWith("sim-clean-" + type.id() + "-");
                assertThat(j.get("unit")).isEqualTo(type.unit());
                assertThat(((BigDecimal) j.get("value")).doubleValue()).isBetween(type.normalMin, type.normalMax);
                assertThat((String) j.get("timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            }
            assertThat(f.stats().published()).isPositive();
        }
        // A client that subscribes later gets the retained status of every device: stopped (on purpose).
        try (Recorder late = new Recorder(broker.uri(), "rec-late", "status/+/health")) {
            await("20 retained statuses").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> late.statuses.keySet().stream()
                            .filter(id -> id.startsWith("sim-clean-")).count() == 20);
            assertThat(late.statuses).allSatisfy((id, l) -> {
                if (!id.startsWith("sim-clean-")) {
                    return;
                }
                assertThat(l.get(0).retained()).isTrue();
                assertThat(l.get(0).json()).containsEntry("status", "stopped");
            });
        }
    }

    @Test
    void commandsAreAnsweredOnTheResponseTopic() throws Exception {
        try (Recorder r = new Recorder(broker.uri(), "rec-cmd", "status/+/health", "responses/#")) {
            Fleet f = fleet("name", "cmd", "devices", 3, "interval.ms", 100L, "start.jitter.ms", 0L);
            try {
                String id = f.devices().get(1).id;
                await("device online").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> "online".equals(r.lastStatus(id)));
                r.publish("commands/" + id + "/ping", "");
                r.publish("commands/" + id + "/interval", "500");
                r.publish("commands/" + id + "/interval", "fast");
                r.publish("commands/" + id + "/status", "");
                r.publish("commands/" + id + "/reboot", "");
                await("five responses").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> r.responses.size() == 5);
                List<Map<String, Object>> answers = r.responses.stream().map(Recorder.Message::json).toList();
                assertThat(r.responses).allSatisfy(m -> assertThat(m.topic()).isEqualTo("responses/" + id));
                assertThat(answers.get(0)).containsEntry("device_id", id).containsEntry("command", "ping")
                        .containsEntry("ok", true).containsEntry("result", "pong");
                assertThat(answers.get(1)).containsEntry("command", "interval").containsEntry("ok", true)
                        .containsEntry("result", new BigDecimal(500));
                assertThat(answers.get(2)).containsEntry("command", "interval").containsEntry("ok", false);
                assertThat(answers.get(3)).containsEntry("command", "status").containsEntry("ok", true);
                @SuppressWarnings("unchecked")
                Map<String, Object> status = (Map<String, Object>) answers.get(3).get("result");
                assertThat(status).containsKeys("value", "seq").containsEntry("interval_ms", new BigDecimal(500));
                assertThat(answers.get(4)).containsEntry("command", "reboot").containsEntry("ok", false);
                assertThat(f.device(id).intervalMs()).isEqualTo(500);
            } finally {
                f.stop(5000);
            }
        }
    }

    @Test
    void aDropFiresTheLastWillAndTheDeviceComesBackWithItsSequence() throws Exception {
        try (Recorder r = new Recorder(broker.uri(), "rec-drop", "sensors/#", "status/+/health", "responses/#")) {
            Fleet f = fleet("name", "drop", "devices", 2, "interval.ms", 50L, "start.jitter.ms", 0L,
                    "fault.dropout.s", 1);
            try {
                Device d = f.devices().get(0);
                Device other = f.devices().get(1);
                await("readings before the drop").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> r.readings(d.id) >= 10);
                r.publish("commands/" + d.id + "/drop", "");
                // Only the broker can say "offline" now: the device's socket is gone, so this is its Last Will.
                await("the Last Will").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> "offline".equals(r.lastStatus(d.id)));
                long seqAtDrop = d.seq();
                await("back online with new readings").atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> "online".equals(r.lastStatus(d.id)) && r.readings(d.id) > seqAtDrop + 5);
                assertThat(r.responses).anySatisfy(m -> assertThat(m.json()).containsEntry("command", "drop")
                        .containsEntry("ok", true));
                assertThat(r.statuses.get(d.id)).extracting(m -> m.json().get("status"))
                        .containsSubsequence("online", "offline", "online");
                assertThat(r.statuses.get(other.id)).extracting(m -> m.json().get("status")).containsOnly("online");
                assertThat(f.stats().drops()).isEqualTo(1);
                assertThat(f.stats().reconnects()).isEqualTo(1);
                // Mosquitto's words for a connection that ended without DISCONNECT (a clean one is "disconnected.").
                // Mosquitto 2.0.11 says "closed its connection." or, when the dropped socket cut a packet short,
                // "disconnected due to out of memory." (seen in CI with max_queued_messages 1000000 too): both are
                // an unclean end, which is what fires the Last Will.
                String notices = Files.readString(dir.resolve("notices.log"));
                assertThat(notices).containsAnyOf("Client " + d.id + " closed its connection.",
                        "Client " + d.id + " disconnected due to out of memory.")
                        .doesNotContain("Client " + d.id + " disconnected.");
            } finally {
                f.stop(5000);
            }
            Device d = f.devices().get(0);
            await("every reading, before and after the drop").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20)).until(() -> r.gapless(d.id, d.seq()));
            assertThat(r.problems).isEmpty();
        }
    }

    @Test
    void theComponentWaitsForTheBrokerServiceAndStopsCleanly() throws Exception {
        try (Recorder r = new Recorder(broker.uri(), "rec-comp", "status/+/health")) {
            FleetDirectory directory = new FleetDirectory();
            FleetComponent c = new FleetComponent(Configs.fleet("name", "comp", "devices", 2, "interval.ms", 100L),
                    Map.of("service.pid", "io.edgeport.simulator.fleet~comp"), new Sequences(), directory);
            assertThat(directory.fleets()).containsExactly(c);
            assertThat(c.stats().state()).isEqualTo("waiting for a broker");
            BrokerService b = broker(List.of("ws://0.0.0.0:8083/mqtt", "mqtt://0.0.0.0:" + broker.port));
            c.bindBroker(b);
            assertThat(c.stats().brokerUrl()).isEqualTo("tcp://127.0.0.1:" + broker.port);
            await("both devices online").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> c.stats().connected() == 2);
            c.unbindBroker(b);
            assertThat(c.stats().state()).as("a broker that goes away does not stop the fleet").isEqualTo("running");
            String commands = new FleetCommands(directory).fleets();
            assertThat(commands).contains("fleet comp [running] 2/2 connected to tcp://127.0.0.1:" + broker.port);
            List<String> ids = c.fleet().devices().stream().map(d -> d.id).toList();
            c.deactivate();
            assertThat(directory.fleets()).isEmpty();
            await("stopped statuses").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ids.stream().allMatch(id -> "stopped".equals(r.lastStatus(id))));
        }
    }

    @Test
    void aBadConfigurationKeepsOnlyThatFleetStopped() {
        FleetDirectory directory = new FleetDirectory();
        FleetComponent bad = new FleetComponent(Configs.fleet("name", "bad", "broker.url", broker.uri(), "qos", 7),
                Map.of("service.pid", "io.edgeport.simulator.fleet~bad"), new Sequences(), directory);
        assertThat(bad.fleet()).isNull();
        assertThat(bad.stats().state()).isEqualTo("invalid configuration");
        assertThat(bad.stats().lastError()).startsWith("qos must be 0, 1 or 2");
        assertThat(new FleetCommands(directory).fleets()).contains("fleet bad (io.edgeport.simulator.fleet~bad)")
                .contains("invalid configuration").contains("qos");
        bad.deactivate();
    }

    private static BrokerService broker(List<String> listeners) {
        return new BrokerService() {
            @Override
            public void publish(String topic, byte[] payload, int qos, boolean retain) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<String> listeners() {
                return listeners;
            }

            @Override
            public BrokerStatistics statistics() {
                throw new UnsupportedOperationException();
            }
        };
    }
}
