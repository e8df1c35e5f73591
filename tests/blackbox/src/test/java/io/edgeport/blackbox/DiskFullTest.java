package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: the gateway's data directory is on a small file system that fills up while a fleet publishes. The broker
 * holds acknowledgements instead of losing readings, says so in one line, and when space is freed goes on by itself:
 * every reading a subscriber saw ends up in the embedded database exactly once. CI runs as root and mounts a tmpfs
 * for the test; elsewhere it is skipped.
 */
class DiskFullTest {

    @TempDir
    Path dir;
    private Path data;

    @BeforeEach
    void mountSmallDataDirectory() throws Exception {
        data = Files.createDirectories(dir.resolve("data"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", data.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean mounted = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here (not root?): " + out.strip());
    }

    @AfterEach
    void unmount() throws Exception {
        new ProcessBuilder("umount", "-l", data.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void aFullDataDiskLosesNoReadingAndTheGatewayRecoversByItself() throws Exception {
        try (Gateway gw = new Gateway(dir).start(); Telemetry.Observer observer = new Telemetry.Observer(gw.mqttPort)) {
            Console console = new Console(gw);
            console.awaitUp();
            // a probe reading, published again until the sink stored it
            await("the sink storing").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        if (!Telemetry.stored(console, "default", "probe").isEmpty()) {
                            return true;
                        }
                        observer.publish("sensors/lab/temperature/probe/reading",
                                "{\"device_id\":\"probe\",\"value\":1,\"seq\":0}");
                        return false;
                    });
            String pid = Telemetry.createFactoryConfiguration(console, "io.edgeport.simulator.fleet", Map.of("name",
                    "full", "devices", "12", "interval.ms", "50", "start.jitter.ms", "50"));
            await("readings flowing").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> observer.distinct() >= 300);

            Path filler = data.resolve("filler");
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] block = new byte[256 * 1024];
                while (true) {
                    out.write(block);
                }
            } catch (IOException full) {
                // the data disk is full
            }
            await("the broker saying it cannot write").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> gw.log().contains("Cannot write the broker store"));
            long seenWhileFull = observer.distinct();
            // devices keep trying while the disk is full, and the broker does not claim otherwise
            await("the broker still not writing").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !gw.log().contains("The broker store is written again"));
            Files.delete(filler);
            await("the broker writing again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> gw.log().contains("The broker store is written again"));
            await("readings flowing again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> observer.distinct() >= seenWhileFull + 300);
            Telemetry.deleteConfiguration(console, pid);
            observer.awaitQuiet(1_500);

            Map<String, Set<Long>> published = new TreeMap<>(observer.seen);
            published.remove("probe");
            assertThat(published).hasSize(12);
            await("every observed reading stored in H2").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        for (Map.Entry<String, Set<Long>> e : published.entrySet()) {
                            if (!Telemetry.stored(console, "default", e.getKey()).keySet().equals(e.getValue())) {
                                return false;
                            }
                        }
                        return true;
                    });
            for (Map.Entry<String, Set<Long>> e : published.entrySet()) {
                assertThat(Telemetry.stored(console, "default", e.getKey()).values())
                        .as("each reading of %s stored once", e.getKey()).allMatch(n -> n == 1);
            }
            assertThat(gw.log()).as("peer and disk errors are lines, not stack traces").doesNotContain("\tat ");
            gw.saveLog("disk-full");
        }
    }
}
