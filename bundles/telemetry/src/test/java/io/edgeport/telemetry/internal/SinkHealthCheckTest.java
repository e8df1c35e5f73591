package io.edgeport.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.felix.hc.api.Result;
import org.junit.jupiter.api.Test;

class SinkHealthCheckTest {

    private static final long MB = 1 << 20;

    private static String text(Result r) {
        StringBuilder b = new StringBuilder();
        r.forEach(e -> b.append(e.getStatus()).append(' ').append(e.getMessage()).append('\n'));
        return b.toString();
    }

    @Test
    void aSinkThatFailsIsCriticalWhateverItsLag() {
        Result r = SinkHealthCheck.check(List.of(
                new TelemetryPipeline.SinkState("ok", true, 10, -1, ""),
                new TelemetryPipeline.SinkState("pg", true, 0, 12, "store failed: Connection refused")), 64 * MB);
        assertThat(r.getStatus()).isEqualTo(Result.Status.CRITICAL);
        assertThat(text(r)).contains("CRITICAL Sink 'pg' fails for 12 s: store failed: Connection refused")
                .contains("OK Sink 'ok' stores");
    }

    @Test
    void lagAboveTheLimitWarnsAndNoSinkWarns() {
        Result r = SinkHealthCheck.check(List.of(new TelemetryPipeline.SinkState("slow", true, 65 * MB, -1, "")),
                64 * MB);
        assertThat(r.getStatus()).isEqualTo(Result.Status.WARN);
        assertThat(text(r)).contains("Sink 'slow' is 65.0 MB behind");
        assertThat(SinkHealthCheck.check(List.of(), 64 * MB).getStatus()).isEqualTo(Result.Status.WARN);
        assertThat(SinkHealthCheck.check(List.of(new TelemetryPipeline.SinkState("fine", true, 64 * MB, -1, "")),
                64 * MB).getStatus()).isEqualTo(Result.Status.OK);
    }
}
