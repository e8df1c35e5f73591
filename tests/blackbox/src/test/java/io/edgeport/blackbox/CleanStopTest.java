package io.edgeport.blackbox;

import static io.edgeport.blackbox.Telemetry.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

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
            await("the sink storing", 60, () -> {
                observer.publish("sensors/lab/temperature/stop-probe/reading",
                        "{\"device_id\":\"stop-probe\",\"value\":1,\"seq\":0}");
                Thread.sleep(300);
                return !Telemetry.stored(console, "default", "stop-probe").isEmpty();
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
