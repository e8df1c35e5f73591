package io.edgeport.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.edgeport.api.telemetry.TelemetrySink;

class SinkOptionsTest {

    private static final List<String> DEFAULT = List.of("sensors/#");

    @Test
    void defaultsAndOverrides() {
        SinkChannel.Options o = TelemetryPipeline.options(Map.of(TelemetrySink.NAME, "db"), DEFAULT);
        assertThat(o).isEqualTo(new SinkChannel.Options("db", DEFAULT, 1000, 50, 30_000));
        o = TelemetryPipeline.options(Map.of(TelemetrySink.NAME, "db", TelemetrySink.BATCH_SIZE, 10,
                TelemetrySink.FLUSH_MS, "5", TelemetrySink.RETRY_MAX_MS, 1000L, TelemetrySink.TOPICS,
                new String[] { "a/#", "b/+/c" }), DEFAULT);
        assertThat(o).isEqualTo(new SinkChannel.Options("db", List.of("a/#", "b/+/c"), 10, 5, 1000));
    }

    @Test
    void badPropertiesNameTheKey() {
        assertThatThrownBy(() -> TelemetryPipeline.options(Map.of(), DEFAULT)).hasMessageContaining(TelemetrySink.NAME);
        assertThatThrownBy(() -> TelemetryPipeline.options(Map.of(TelemetrySink.NAME, "a b"), DEFAULT))
                .hasMessageContaining(TelemetrySink.NAME);
        assertThatThrownBy(() -> TelemetryPipeline.options(Map.of(TelemetrySink.NAME, "x".repeat(60)), DEFAULT))
                .hasMessageContaining(TelemetrySink.NAME);
        assertThatThrownBy(() -> TelemetryPipeline.options(Map.of(TelemetrySink.NAME, "db", TelemetrySink.BATCH_SIZE,
                0), DEFAULT)).hasMessageContaining(TelemetrySink.BATCH_SIZE);
        assertThatThrownBy(() -> TelemetryPipeline.options(Map.of(TelemetrySink.NAME, "db", TelemetrySink.BATCH_SIZE,
                "many"), DEFAULT)).hasMessageContaining("must be a number");
        assertThatThrownBy(() -> TelemetryPipeline.options(Map.of(TelemetrySink.NAME, "db", TelemetrySink.TOPICS,
                "a/#/b"), DEFAULT)).hasMessageContaining("not an MQTT topic filter");
    }

    @Test
    void filters() {
        assertThat(TelemetryPipeline.filters(new String[] {" sensors/# ", "", "a/+/b"}, "topics"))
                .containsExactly("sensors/#", "a/+/b");
        assertThatThrownBy(() -> TelemetryPipeline.filters(new String[] {"a#"}, "topics"))
                .hasMessage("topics: 'a#' is not an MQTT topic filter");
        assertThatThrownBy(() -> TelemetryPipeline.filters(new String[] { " " }, "topics"))
                .hasMessageContaining("at least one");
    }
}
