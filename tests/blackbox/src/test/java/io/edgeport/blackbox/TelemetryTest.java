package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.testsupport.PostgresServer;

/**
 * The data path end to end, on the exported gateway: a simulated fleet (real MQTT clients inside the gateway) publishes
 * readings; an independent observer records which (device, seq) the broker accepted; the JDBC sink must hold exactly
 * those, each once — in the embedded H2 database, in a real PostgreSQL that is stopped and started again while the
 * fleet runs, and across an update of the sink bundle through the web console. Fleets and sinks are configured through
 * the console's configuration form, as an operator would. Waits are bounded and wait on facts; nothing is timed.
 */
class TelemetryTest {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    static final Path SINK_JAR = Path.of(System.getProperty("sink.jar",
            "../../bundles/sink-jdbc/target/io.edgeport.sink.jdbc-0.1.0-SNAPSHOT.jar")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    static String fleet(Console console, String name) throws Exception {
        return Telemetry.createFactoryConfiguration(console, "io.edgeport.simulator.fleet", Map.of("name", name,
                "devices", "12", "interval.ms", "50", "start.jitter.ms", "50"));
    }

    /** Publishes a probe reading until the sink stored it: its durable session exists from then on. */
    static void awaitSinkSubscribed(Telemetry.Observer observer, Telemetry.Check stored) {
        await("the sink stored the probe reading").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    if (stored.ok()) {
                        return true;
                    }
                    observer.publish("sensors/lab/temperature/probe/reading",
                            "{\"device_id\":\"probe\",\"value\":1,\"seq\":0}");
                    return false;
                });
    }

    /** Stops the fleet (deletes its configuration: devices disconnect cleanly) and waits until nothing flows. */
    static void stopFleet(Console console, String pid, Telemetry.Observer observer) throws Exception {
        Telemetry.deleteConfiguration(console, pid);
        observer.awaitQuiet(1_500);
    }

    static Map<String, Set<Long>> fleetReadings(Telemetry.Observer observer) {
        Map<String, Set<Long>> out = new TreeMap<>(observer.seen);
        out.remove("probe");
        return out;
    }

    static void assertH2HoldsExactly(Console console, Map<String, Set<Long>> published) throws Exception {
        assertThat(published).hasSize(12);
        await("every observed reading stored in H2").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    for (Map.Entry<String, Set<Long>> e : published.entrySet()) {
                        if (!Telemetry.stored(console, "default", e.getKey()).keySet().equals(e.getValue())) {
                            return false;
                        }
                    }
                    return true;
                });
        for (Map.Entry<String, Set<Long>> e : published.entrySet()) {
            Map<Long, Integer> stored = Telemetry.stored(console, "default", e.getKey());
            assertThat(stored.keySet()).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(stored.values()).as("each reading of %s stored once", e.getKey()).allMatch(n -> n == 1);
        }
    }

    @Test
    void aFleetsReadingsLandInTheEmbeddedDatabaseExactlyOnce() throws Exception {
        try (Gateway gw = new Gateway(dir).start(); Telemetry.Observer observer = new Telemetry.Observer(gw.mqttPort)) {
            Console console = new Console(gw);
            console.awaitUp();
            awaitSinkSubscribed(observer, () -> !Telemetry.stored(console, "default", "probe").isEmpty());
            String pid = fleet(console, "h2");
            await("1500 readings published").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> observer.distinct() >= 1500);
            stopFleet(console, pid, observer);
            Map<String, Set<Long>> published = fleetReadings(observer);
            assertH2HoldsExactly(console, published);
            // the fleet's readings are consecutive per device: nothing was lost before the broker either
            published.forEach((device, seqs) -> assertThat(seqs).as(device).hasSize((int) (long) java.util.Collections
                    .max(seqs) + 1));
            gw.saveLog("telemetry-h2");
        }
    }

    @Test
    void updatingTheSinkBundleThroughTheConsoleUnderLoadLosesAndDuplicatesNothing() throws Exception {
        assertThat(SINK_JAR).as("the sink bundle jar (built by mvn install)").exists();
        try (Gateway gw = new Gateway(dir).start(); Telemetry.Observer observer = new Telemetry.Observer(gw.mqttPort)) {
            Console console = new Console(gw);
            console.awaitUp();
            awaitSinkSubscribed(observer, () -> !Telemetry.stored(console, "default", "probe").isEmpty());
            String pid = fleet(console, "upd");
            await("600 readings published").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> observer.distinct() >= 600);
            // The console's upload form updates a bundle that is already installed with the same symbolic name.
            assertThat(console.installBundle("io.edgeport.sink.jdbc.jar", Files.readAllBytes(SINK_JAR)).statusCode())
                    .isLessThan(400);
            long at = observer.distinct();
            await("600 more readings published").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> observer.distinct() >= at + 600);
            stopFleet(console, pid, observer);
            assertH2HoldsExactly(console, fleetReadings(observer));
            assertThat(gw.log().split("JDBC telemetry sink 'default' \\(", -1).length - 1)
                    .as("the sink was started again by the update").isGreaterThanOrEqualTo(2);
            gw.saveLog("telemetry-update");
        }
    }

    @Test
    void postgresqlStoppedAndStartedAgainWhileTheFleetRunsLosesAndDuplicatesNothing() throws Exception {
        try (Gateway gw = new Gateway(dir).start(); Telemetry.Observer observer = new Telemetry.Observer(gw.mqttPort)) {
            Console console = new Console(gw);
            console.awaitUp();
            Telemetry.createFactoryConfiguration(console, "io.edgeport.sink.jdbc", Map.of("name", "pg", "url",
                    PG.url(), "user", "postgres", "retry.max.ms", "1000"));
            awaitSinkSubscribed(observer, () -> !pgStored("probe").isEmpty());
            String pid = fleet(console, "pg");
            await("600 readings published").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> observer.distinct() >= 600);
            PG.stop();
            long down = observer.distinct();
            await("600 readings published while PostgreSQL is down").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> observer.distinct() >= down + 600);
            PG.start();
            long up = observer.distinct();
            await("300 more after it is back").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> observer.distinct() >= up + 300);
            stopFleet(console, pid, observer);
            Map<String, Set<Long>> published = fleetReadings(observer);
            assertThat(published).hasSize(12);
            await("every observed reading stored in PostgreSQL").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        for (Map.Entry<String, Set<Long>> e : published.entrySet()) {
                            if (!pgStored(e.getKey()).keySet().equals(e.getValue())) {
                                return false;
                            }
                        }
                        return true;
                    });
            for (Map.Entry<String, Set<Long>> e : published.entrySet()) {
                assertThat(pgStored(e.getKey()).values()).as("each reading of %s stored once", e.getKey())
                        .allMatch(n -> n == 1);
            }
            assertThat(gw.log()).contains("Sink 'pg': store failed"); // the outage was real
            gw.saveLog("telemetry-postgresql");
        }
    }

    @Test
    void aKillDuringTheSinksCatchUpLosesAndDuplicatesNothing() throws Exception {
        try (Gateway gw = new Gateway(dir).start(); Telemetry.Observer observer = new Telemetry.Observer(gw.mqttPort)) {
            Console console = new Console(gw);
            console.awaitUp();
            // small batches: the catch-up takes long enough to be killed in the middle of it
            Telemetry.createFactoryConfiguration(console, "io.edgeport.sink.jdbc", Map.of("name", "pg", "url",
                    PG.url(), "user", "postgres", "retry.max.ms", "500", "batch.size", "20"));
            awaitSinkSubscribed(observer, () -> !pgStored("probe").isEmpty());
            PG.stop();
            String pid = fleet(console, "catchup");
            await("3000 readings published while PostgreSQL is down").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200)).until(() -> observer.distinct() >= 3000);
            stopFleet(console, pid, observer);
            Map<String, Set<Long>> published = fleetReadings(observer);
            long total = published.values().stream().mapToLong(Set::size).sum();
            PG.start();
            await("the sink is catching up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> pgRows() > 0);
            long atKill = pgRows();
            assertThat(gw.kill9()).isEqualTo(Gateway.SIGKILL_EXIT);
            gw.start();
            await("every observed reading stored in PostgreSQL after the restart").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        for (Map.Entry<String, Set<Long>> e : published.entrySet()) {
                            if (!pgStored(e.getKey()).keySet().equals(e.getValue())) {
                                return false;
                            }
                        }
                        return true;
                    });
            for (Map.Entry<String, Set<Long>> e : published.entrySet()) {
                assertThat(pgStored(e.getKey()).values()).as("each reading of %s stored once", e.getKey())
                        .allMatch(n -> n == 1);
            }
            long probes = pgStored("probe").values().stream().mapToLong(Integer::longValue).sum();
            assertThat(pgRows()).as("nothing else stored").isEqualTo(total + probes);
            System.out.printf("kill during catch-up: %d of %d rows were in PostgreSQL at the kill%n", atKill,
                    total);
            gw.saveLog("telemetry-catchup-kill");
        }
    }

    private static long pgRows() throws Exception {
        try (Connection c = new org.postgresql.Driver().connect(PG.url() + "?user=postgres", new java.util.Properties());
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM readings")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }

    /** seq → rows, read straight from PostgreSQL. */
    private static Map<Long, Integer> pgStored(String device) throws Exception {
        Map<Long, Integer> out = new HashMap<>();
        try (Connection c = new org.postgresql.Driver().connect(PG.url() + "?user=postgres", new java.util.Properties());
                Statement s = c.createStatement()) {
            if (c == null) {
                return out;
            }
            try (ResultSet rs = s.executeQuery("SELECT seq, count(*) FROM readings WHERE device_id = '"
                    + device.replace("'", "''") + "' GROUP BY seq")) {
                while (rs.next()) {
                    out.put(rs.getLong(1), rs.getInt(2));
                }
            }
        } catch (java.sql.SQLException e) {
            return Map.of(); // not there yet (table missing) or the server is down
        }
        return out;
    }
}
