package io.edgeport.sink.jdbc.internal;

import static io.edgeport.sink.jdbc.internal.Configs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.edgeport.api.telemetry.TelemetrySink;

class SinkSettingsTest {

    @Test
    void defaultsGiveAnEmbeddedH2InTheDataDirectory() {
        SinkSettings s = SinkSettings.from(config(Map.of()), "gw-data");
        assertThat(s.name()).isEqualTo("default");
        assertThat(s.dialect()).isEqualTo(Dialect.H2);
        assertThat(s.url()).isEqualTo("jdbc:h2:file:" + Path.of("gw-data/telemetry").toAbsolutePath());
        assertThat(SinkSettings.defaultUrl(null)).isEqualTo("jdbc:h2:file:" + Path.of("data/telemetry")
                .toAbsolutePath());
        assertThat(SinkSettings.defaultUrl("/var/lib/edgeport/")).isEqualTo("jdbc:h2:file:/var/lib/edgeport/telemetry");
        assertThat(s.table()).isEqualTo("readings");
        assertThat(s.serviceProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(TelemetrySink.NAME, "default",
                TelemetrySink.BATCH_SIZE, 1000, TelemetrySink.FLUSH_MS, 50L, TelemetrySink.RETRY_MAX_MS, 30000L));
    }

    @Test
    void topicsBecomeAServiceProperty() {
        SinkSettings s = SinkSettings.from(config(Map.of("name", "pg", "topics", new String[] { "a/#", " ", "b/+" },
                "url", "jdbc:postgresql://db/x")), null);
        assertThat(s.dialect()).isEqualTo(Dialect.POSTGRESQL);
        assertThat((String[]) s.serviceProperties().get(TelemetrySink.TOPICS)).containsExactly("a/#", "b/+");
        assertThat(s.serviceProperties().get(TelemetrySink.NAME)).isEqualTo("pg");
    }

    @ParameterizedTest
    @ValueSource(strings = { "readings", "_x", "T1", "a2345678901234567890123456789012345678901234567890" })
    void acceptsPlainIdentifiers(String table) {
        assertThat(SinkSettings.from(config(Map.of("table", table)), null).table()).isEqualTo(table);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "1x", "a-b", "a b", "x;DROP TABLE y", "\"q\"", "tëst", "s.t" })
    void refusesAnythingElseAsTable(String table) {
        assertThatThrownBy(() -> SinkSettings.from(config(Map.of("table", table)), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("table: must be");
    }

    @Test
    void refusesATableWhoseDerivedNamesPostgresWouldTruncate() {
        assertThatThrownBy(() -> SinkSettings.from(config(Map.of("table", "a".repeat(51))), null))
                .hasMessageStartingWith("table: must be at most 50 characters");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "batch.size|0|batch.size: must be 1..4096", "batch.size|4097|batch.size",
            "flush.ms|-1|flush.ms: must be 0..60000", "retry.max.ms|99|retry.max.ms: must be 100..3600000",
            "name| |name: must not be empty", "url|jdbc:mysql://h/db?password=secret|url: unsupported database"
                    + " 'jdbc:mysql'" })
    void namesTheKeyOfAnInvalidValue(String key, String value, String message) {
        Object v = switch (key) {
            case "batch.size" -> Integer.parseInt(value);
            case "flush.ms", "retry.max.ms" -> Long.parseLong(value);
            default -> value == null ? " " : value;
        };
        assertThatThrownBy(() -> SinkSettings.from(config(Map.of(key, v)), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message)
                .hasMessageNotContaining("secret");
    }

    @Test
    void neverShowsThePassword() {
        SinkSettings s = SinkSettings.from(config(Map.of("url", "jdbc:postgresql://db/x?password=urlsecret",
                "user", "u", "password", "s3cret")), null);
        assertThat(s.toString()).doesNotContain("s3cret").doesNotContain("urlsecret").contains("jdbc:postgresql://db/x");
    }
}
