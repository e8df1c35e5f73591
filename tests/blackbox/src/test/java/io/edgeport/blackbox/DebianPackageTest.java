package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Debian package (packaging/debian, built by the Maven build) installed with dpkg on this machine: files, user,
 * permissions; the systemd unit's command line run by hand as user edgeport (with free ports on the command line,
 * which wins over /etc/edgeport/mosquitto.conf), in both profiles, and refusing an invalid configuration with exit
 * 78; then removed (conffiles and user stay) and purged (all gone). Needs root or password-less sudo, as CI has.
 */
class DebianPackageTest {

    static final Path DEB_DIR = Path.of("../../packaging/debian/target");
    static final List<String> SUDO = "root".equals(System.getProperty("user.name")) ? List.of() : List.of("sudo", "-n");

    static Clients.Result root(String... cmd) throws Exception {
        List<String> all = new ArrayList<>(SUDO);
        all.addAll(List.of(cmd));
        return Clients.run(120, all.toArray(String[]::new));
    }

    static Path deb() throws Exception {
        try (Stream<Path> s = Files.list(DEB_DIR)) {
            // the newest: jdeb names a SNAPSHOT package after its build time, so older ones stay in target/
            return s.filter(p -> p.getFileName().toString().endsWith(".deb"))
                    .max(java.util.Comparator.comparing(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new AssertionError("no .deb in " + DEB_DIR + " (mvn install builds it)"));
        }
    }

    @BeforeAll
    static void install() throws Exception {
        root("dpkg", "-P", "edgeport"); // a leftover of an interrupted run
        // never started by the postinst here, even where systemd runs: tests do not bind the default ports
        Clients.Result r = root("env", "EDGEPORT_NO_START=1", "dpkg", "-i", deb().toAbsolutePath().toString());
        assertThat(r.exitCode()).as(String.join("\n", r.lines()) + r.stderr()).isZero();
    }

    @AfterAll
    static void purge() throws Exception {
        root("dpkg", "-P", "edgeport");
    }

    private static String stat(String path) throws Exception {
        Clients.Result r = root("stat", "-c", "%U:%G %a", path);
        assertThat(r.exitCode()).as(path + ": " + r.stderr()).isZero();
        return r.lines().get(0);
    }

    @Test
    void filesUserAndPermissions() throws Exception {
        assertThat(stat("/usr/bin/edgeport")).isEqualTo("root:root 755");
        assertThat(stat("/usr/share/edgeport/gateway.jar")).isEqualTo("root:root 644");
        assertThat(stat("/usr/share/edgeport/broker.jar")).isEqualTo("root:root 644");
        assertThat(stat("/etc/edgeport/mosquitto.conf")).isEqualTo("root:root 644");
        assertThat(stat("/lib/systemd/system/edgeport.service")).isEqualTo("root:root 644");
        assertThat(stat("/var/lib/edgeport")).isEqualTo("edgeport:edgeport 750");
        Clients.Result user = Clients.run(10, "getent", "passwd", "edgeport");
        assertThat(user.exitCode()).isZero();
        String[] f = user.lines().get(0).split(":");
        assertThat(Integer.parseInt(f[2])).as("a system user").isLessThan(1000);
        assertThat(f[5]).isEqualTo("/var/lib/edgeport");
        assertThat(Clients.run(10, "dpkg-query", "-W", "-f=${Conffiles}", "edgeport").lines())
                .anyMatch(l -> l.contains("/etc/edgeport/mosquitto.conf"))
                .anyMatch(l -> l.contains("/etc/default/edgeport"));
        String unit = Files.readString(Path.of("/lib/systemd/system/edgeport.service"));
        assertThat(unit).contains("User=edgeport", "ExecStart=/usr/bin/edgeport -c /etc/edgeport/mosquitto.conf",
                "Restart=on-failure", "RestartPreventExitStatus=78", "SuccessExitStatus=143");
    }

    /** Runs the unit's command line as user edgeport, with extra JVM options; returns the process and its output. */
    private static Process asEdgeport(List<String> out, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(SUDO);
        cmd.addAll(List.of("setpriv", "--reuid=edgeport", "--regid=edgeport", "--init-groups", "/usr/bin/edgeport"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    out.add(line);
                }
            } catch (java.io.IOException e) {
                // ended
            }
        });
        return p;
    }

    private static String ready(List<String> out, Process p) throws Exception {
        try {
            return await("the ready line").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                    .failFast("the gateway exited", () -> !p.isAlive())
                    .until(() -> out.stream().filter(l -> l.startsWith("Edgeport ready")).findFirst(),
                            Optional::isPresent)
                    .get();
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError("no ready line (" + e.getMessage() + "):\n" + String.join("\n", out), e);
        }
    }

    @Test
    void theUnitsCommandLineRunsTheGatewayAsEdgeportAndStopsCleanly() throws Exception {
        int mqtt = Gateway.freePort();
        List<String> out = new CopyOnWriteArrayList<>();
        Process p = asEdgeport(out, "-c", "/etc/edgeport/mosquitto.conf", "--",
                "-Dedgeport.broker.port=" + mqtt, "-Dorg.osgi.service.http.port=" + Gateway.freePort());
        try {
            assertThat(ready(out, p)).contains("mqtt://127.0.0.1:" + mqtt);
            Clients.Result pub = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(mqtt),
                    "-t", "deb/hello", "-q", "1", "-m", "from-the-package");
            assertThat(pub.exitCode()).as(pub.stderr()).isZero();
            assertThat(stat("/var/lib/edgeport/broker")).startsWith("edgeport:edgeport");
            assertThat(stat("/var/lib/edgeport/console-password")).isEqualTo("edgeport:edgeport 600");
        } finally {
            p.destroy(); // SIGTERM, as systemctl stop
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).as(String.join("\n", out)).isIn(0, 143);
        assertThat(out).noneMatch(l -> l.contains("\tat "));

        // The first start wrote its class-data archive when it stopped; the next start maps it (-Xshare:on: the JVM
        // refuses to start if it cannot).
        Clients.Result archives = root("sh", "-c", "ls -l /var/lib/edgeport/cds/");
        assertThat(String.join("\n", archives.lines())).as(archives.stderr()).containsPattern("edgeport +edgeport .* gateway-.*\\.jsa");
        List<String> again = new CopyOnWriteArrayList<>();
        Process q = asEdgeport(again, "-c", "/etc/edgeport/mosquitto.conf", "--", "-Xshare:on",
                "-Dedgeport.broker.port=" + Gateway.freePort(), "-Dorg.osgi.service.http.port=" + Gateway.freePort());
        try {
            assertThat(ready(again, q)).startsWith("Edgeport ready");
        } finally {
            q.destroy();
            assertThat(q.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void theBrokerOnlyProfileAndAnInvalidConfiguration() throws Exception {
        int mqtt = Gateway.freePort();
        List<String> out = new CopyOnWriteArrayList<>();
        Process p = asEdgeport(out, "--broker-only", "--", "-Dedgeport.broker.port=" + mqtt);
        try {
            assertThat(ready(out, p)).contains("mqtt://127.0.0.1:" + mqtt).contains("console (no HTTP endpoint)");
        } finally {
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        String bad = "/var/lib/edgeport/bad.conf"; // where user edgeport can read it (purged with the package)
        assertThat(root("sh", "-c", "echo 'listener not-a-port' > " + bad + " && chmod 644 " + bad).exitCode())
                .isZero();
        List<String> badOut = new CopyOnWriteArrayList<>();
        Process q = asEdgeport(badOut, "-c", bad, "--", "-Dorg.osgi.service.http.port=" + Gateway.freePort());
        assertThat(q.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // the reader passes on the last lines after the process ended
        await("the line about bad.conf").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(badOut)
                        .anyMatch(l -> l.contains("bad.conf:1: 'not-a-port' is not a port")));
        assertThat(q.exitValue()).as(String.join("\n", badOut)).isEqualTo(78);
    }

    @Test
    void removeKeepsTheConffilesAndPurgeRemovesEverything() throws Exception {
        // runs last by name order is not guaranteed: install again afterwards for the other tests
        try {
            assertThat(root("dpkg", "-r", "edgeport").exitCode()).isZero();
            assertThat(Path.of("/usr/bin/edgeport")).doesNotExist();
            assertThat(Path.of("/etc/edgeport/mosquitto.conf")).exists();
            assertThat(Clients.run(10, "getent", "passwd", "edgeport").exitCode()).isZero();
            assertThat(root("dpkg", "-P", "edgeport").exitCode()).isZero();
            assertThat(Path.of("/etc/edgeport/mosquitto.conf")).doesNotExist();
            assertThat(Path.of("/var/lib/edgeport")).doesNotExist();
            assertThat(Clients.run(10, "getent", "passwd", "edgeport").exitCode()).isNotZero();
        } finally {
            install();
        }
    }
}
