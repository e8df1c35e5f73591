package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 4: a SIGTERM stops the gateway cleanly. H2's own JVM shutdown hook used to close the sink's and the
 * alarm engine's databases under them, so every stop logged "WARN Sink 'default': store failed: ... Database is
 * already closed"; now each component closes its database when it stops.
 */
class CleanStopTest {

    @TempDir
    Path dir;

    @Test
    void aSigtermWhileTheSinkStoresLogsNoFailure() throws Exception {
        Gateway gw = new Gateway(dir).start();
        try (Telemetry.Observer observer = new Telemetry.Observer(gw.mqttPort)) {
            Console console = new Console(gw);
            console.awaitUp();
            // a probe reading, published again until the sink stored it
            await("the sink storing").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        if (!Telemetry.stored(console, "default", "stop-probe").isEmpty()) {
                            return true;
                        }
                        observer.publish("sensors/lab/temperature/stop-probe/reading",
                                "{\"device_id\":\"stop-probe\",\"value\":1,\"seq\":0}");
                        return false;
                    });
            for (int i = 1; i <= 50; i++) {
                observer.publish("sensors/lab/temperature/stop-probe/reading",
                        "{\"device_id\":\"stop-probe\",\"value\":" + i + ",\"seq\":" + i + "}");
            }
        }
        assertThat(gw.stop()).as("exit code after SIGTERM").isIn(0, 143);
        assertThat(gw.log()).doesNotContain("already closed").doesNotContain("store failed")
                .doesNotContain(" ERROR ");
        gw.close();
    }
}
