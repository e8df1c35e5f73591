package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.edgeport.testsupport.MosquittoBroker;
import io.edgeport.testsupport.OpenSslCa;

/**
 * The gateway started from a Mosquitto user's files (examples/mosquitto: mosquitto.conf with include_dir conf.d and a
 * TLS listener) with only their paths pointed at test fixtures, and the listener ports given on the command line
 * (which wins over the file; tests never bind the defaults): three listeners of different kinds at once, anonymous
 * clients refused as the file says, the password and ACL files in force, and every unsupported line reported with
 * its file and line. Bridge sections become bridges to a real Mosquitto, and go with their section.
 */
class MosquittoConfTest {

    @Test
    void theExampleFilesRunThreeListenersWithTheirSecurity() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "mosquitto-conf-" + UUID.randomUUID()).toAbsolutePath());
        OpenSslCa ca = OpenSslCa.create(dir.resolve("certs"));
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "");
        Clients.Result r = Clients.run(15, "mosquitto_passwd", "-b", passwd.toString(), "dev", "dev-secret-1");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        Path acl = Files.writeString(dir.resolve("acl"), "user dev\ntopic readwrite plant/#\n");
        Path src = Path.of("../../examples/mosquitto");
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("mosquitto.conf"), Files.readString(src.resolve("mosquitto.conf"))
                .replace("/etc/mosquitto/conf.d", dir.resolve("conf.d").toString())
                .replace("/var/lib/mosquitto/", dir.resolve("persistence").toString())
                .replace("/etc/mosquitto/passwd", passwd.toString())
                .replace("/etc/mosquitto/acl", acl.toString()));
        Files.writeString(dir.resolve("conf.d/tls.conf"), Files.readString(src.resolve("conf.d/tls.conf"))
                .replace("/etc/mosquitto/certs/", ca.dir + "/"));
        int ws = Gateway.freePort();
        int tls = Gateway.freePort();
        try (Gateway gw = new Gateway(Files.createDirectories(dir.resolve("gw")))
                .with("edgeport.config", dir.resolve("mosquitto.conf")).with("websocket_port", ws)
                .with("tls_port", tls).start()) {
            assertThat(gw.readyLine()).contains("mqtt://0.0.0.0:" + gw.mqttPort).contains("ws://0.0.0.0:" + ws)
                    .contains("mqtts://0.0.0.0:" + tls);
            assertThat(gw.log()).contains("mosquitto.conf:18: log_dest accepted")
                    .contains("mosquitto.conf:47: '```' not supported (not a Mosquitto setting); ignored")
                    .contains("password_file " + passwd).contains("acl_file " + acl);

            // allow_anonymous false, from the file
            Clients.Result anonymous = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p",
                    Integer.toString(gw.mqttPort), "-t", "plant/x", "-m", "x");
            assertThat(anonymous.exitCode()).as("anonymous refused").isNotZero();

            // the user from the password file, over TLS (CA of the tls.conf) to a subscriber on the plain listener
            MosquittoSub sub = new MosquittoSub("-h", "127.0.0.1", "-p", Integer.toString(gw.mqttPort), "-u", "dev",
                    "-P", "dev-secret-1", "-t", "plant/#", "-C", "2", "-W", "20", "-q", "1", "-v").awaitSubscribed();
            Clients.Result overTls = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(tls),
                    "--cafile", ca.path("ca.crt").toString(), "-u", "dev", "-P", "dev-secret-1", "-t", "plant/tls",
                    "-q", "1", "-m", "over-tls");
            assertThat(overTls.exitCode()).as(overTls.stderr()).isZero();
            // the ACL file: dev may not write outside plant/ (dropped, the subscriber sees only plant/ messages)
            Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(gw.mqttPort), "-u", "dev",
                    "-P", "dev-secret-1", "-t", "other/x", "-q", "1", "-m", "denied");
            Clients.Result plain = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p",
                    Integer.toString(gw.mqttPort), "-u", "dev", "-P", "dev-secret-1", "-t", "plant/tcp", "-q", "1",
                    "-m", "over-tcp");
            assertThat(plain.exitCode()).as(plain.stderr()).isZero();
            assertThat(sub.messages("plant/", 20)).containsExactly("plant/tls over-tls", "plant/tcp over-tcp");

            // The console's broker form shows where a value comes from; the file wins over a console edit.
            Console console = new Console(gw);
            console.awaitUp();
            String form = console.postForm("/configMgr/io.edgeport.broker", java.util.Map.of()).body()
                    .replace("\\/", "/"); // JSON
            assertThat(form).contains("[Running: 120 - from " + dir.resolve("mosquitto.conf") + ":30 (the file wins"
                    + " over the console: edit it there)]");
            assertThat(console.postForm("/configMgr/io.edgeport.broker", java.util.Map.of("apply", "true", "action",
                    "ajaxConfigManager", "propertylist", "max_keepalive", "max_keepalive", "30")).statusCode())
                    .isLessThan(400);
            await("the console's edit refused").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> gw.log().contains("io.edgeport.broker: max_keepalive is set in "
                            + dir.resolve("mosquitto.conf") + ":30; the file wins, edit it there"));
            assertThat(console.postForm("/configMgr/io.edgeport.broker", java.util.Map.of()).body()
                    .replace("\\/", "/")).contains("[Running: 120 - from " + dir.resolve("mosquitto.conf") + ":30");
        }
    }

    @Test
    void anInvalidFileRefusesToStartNamingFileAndLine() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "mosquitto-bad-" + UUID.randomUUID()).toAbsolutePath());
        Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "# two plain listeners\nlistener "
                + Gateway.freePort() + "\nlistener " + Gateway.freePort() + "\n");
        assertThat(refusedStart(dir, conf)).contains(conf + ":3: a second mqtt listener (the first is at " + conf
                + ":2)");
    }

    /**
     * A {@code connection} section is a bridge (configuration io.edgeport.bridge~NAME, from FILE:LINE) whether or not
     * the bridge feature is installed; once it is, messages go upstream to a real Mosquitto. The same file again
     * writes nothing; a section removed from the file deletes its bridge, and a bridge made in the console stays.
     */
    @Test
    void aConnectionSectionIsABridgeUntilItLeavesTheFile() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "mosquitto-bridge-" + UUID.randomUUID())
                .toAbsolutePath());
        try (MosquittoBroker upstream = new MosquittoBroker(dir)) {
            Path conf = dir.resolve("mosquitto.conf");
            Files.writeString(conf, """
                    # the plant's bridge to the central broker, as Mosquitto users write it
                    connection central
                    address 127.0.0.1:%d
                    topic sensors/# out 1 "" site-a/
                    remote_clientid gw-site-a
                    bridge_attempt_unsubscribe false
                    """.formatted(upstream.port));
            try (Gateway gw = new Gateway(Files.createDirectories(dir.resolve("gw")))
                    .with("edgeport.config", conf).start()) {
                await("the hint to install the bridge feature").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200)).until(() -> gw.log()
                                .contains("central are configured (io.edgeport.bridge) and wait for the bridge feature:"
                                        + " feature:install bridge"));
                assertThat(gw.log()).contains(conf + ":2: bridge 'central' configured (configuration"
                        + " io.edgeport.bridge~central)")
                        .contains(conf + ":6: 'bridge_attempt_unsubscribe' not supported in a bridge");
                Console console = new Console(gw);
                console.awaitUp();
                assertThat(Telemetry.pids(console, "io.edgeport.bridge")).containsExactly("io.edgeport.bridge~central");

                assertThat(new PluginsTest.Page(gw).post(Map.of("action", "install", "id", "bridge")))
                        .startsWith("OK bridge");
                await("the bridge connected").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> gw.log().contains("Bridge central connected"));
                assertThat(console.postForm("/configMgr/io.edgeport.bridge~central", Map.of()).body()
                        .replace("\\/", "/")).as("the form shows where it comes from").contains(conf + ":2");
                MosquittoSub sub = new MosquittoSub("-h", "127.0.0.1", "-p", Integer.toString(upstream.port), "-t",
                        "site-a/#", "-C", "1", "-W", "30", "-q", "1", "-v").awaitSubscribed();
                Clients.Result pub = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p",
                        Integer.toString(gw.mqttPort), "-t", "sensors/lab/temperature/dev1/reading", "-q", "1", "-m",
                        "21.5");
                assertThat(pub.exitCode()).as(pub.stderr()).isZero();
                assertThat(sub.messages("site-a/", 30)).containsExactly("site-a/sensors/lab/temperature/dev1/reading"
                        + " 21.5");
                String madeHere = Telemetry.createFactoryConfiguration(console, "io.edgeport.bridge", Map.of(
                        "connection", "made-here", "address", "127.0.0.1:" + upstream.port, "topic", "other/# out 0"));

                gw.stop();
                gw.start();
                await("the bridge connected again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> gw.log().contains("Bridge central connected"));
                assertThat(gw.log()).as("the same file writes nothing").contains("Bridges from " + conf + ": central")
                        .doesNotContain("bridge 'central' updated").doesNotContain("bridge 'central' configured")
                        .doesNotContain("wait for the bridge feature");

                gw.stop();
                Files.writeString(conf, "# the bridge moved to another gateway\n");
                gw.start();
                assertThat(gw.log()).contains(conf + ":2: bridge 'central' is no longer in " + conf
                        + ": configuration io.edgeport.bridge~central deleted");
                Console again = new Console(gw);
                again.awaitUp();
                assertThat(Telemetry.pids(again, "io.edgeport.bridge")).as("the console's bridge stays")
                        .containsExactly(madeHere);
                assertThat(gw.log()).doesNotContain("Bridge central connected");
            }
        }
    }

    @Test
    void aBridgeValueTheBridgeWouldRefuseStopsTheStartNamingFileAndLine() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "mosquitto-bad-bridge-" + UUID.randomUUID())
                .toAbsolutePath());
        Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "connection central\naddress 127.0.0.1:"
                + Gateway.freePort() + "\ntopic sensors/# sideways 1\n");
        assertThat(refusedStart(dir, conf)).contains(conf + ":3: topic: 'sensors/# sideways 1': direction must be in,"
                + " out or both, not 'sideways' (the gateway stops: fix the file)");
    }

    /** Starts the gateway on {@code conf} (MQTT and HTTP on free ports) and expects exit status 78: its output. */
    private static String refusedStart(Path dir, Path conf) throws Exception {
        Process p = new ProcessBuilder("java", "-Xmx256m", "-XX:+UseSerialGC", "-Dedgeport.config=" + conf,
                "-Dedgeport.broker.port=" + Gateway.freePort(), "-Dorg.osgi.service.http.port=" + Gateway.freePort(),
                "-jar", Gateway.JAR.toAbsolutePath().toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        java.util.concurrent.CompletableFuture<String> output = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    } catch (java.io.IOException e) {
                        return e.toString();
                    }
                });
        try {
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("stopped by itself").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String out = output.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(p.exitValue()).as(out).isEqualTo(78);
        assertThat(out).doesNotContain("Edgeport ready");
        return out;
    }
}
