package io.edgeport.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class PayloadsTest {

    private static final Instant T = Instant.parse("2026-11-27T13:05:31.123456Z");

    @Test
    void readingIsExactlyTheDocumentedJson() {
        String json = utf8(Payloads.reading("sim-fleet-temperature-0001", SensorType.TEMPERATURE, 21.4271, T, 17));
        assertThat(json).isEqualTo("{\"device_id\":\"sim-fleet-temperature-0001\",\"measurement\":\"temperature\","
                + "\"value\":21.43,\"unit\":\"°C\",\"timestamp\":\"2026-11-27T13:05:31.123Z\",\"seq\":17}");
        Map<String, Object> m = Json.object(json);
        assertThat(m).containsEntry("value", new BigDecimal("21.43")).containsEntry("unit", "°C")
                .containsEntry("seq", new BigDecimal(17));
    }

    @Test
    void valuesAreRoundedToTwoDecimalsAndTimestampsAlwaysHaveMilliseconds() {
        assertThat(Payloads.number(1013.255)).isEqualTo("1013.26");
        assertThat(Payloads.number(-40)).isEqualTo("-40.00");
        assertThat(Payloads.number(0.004)).isEqualTo("0.00");
        assertThat(Payloads.timestamp(Instant.parse("2026-01-02T03:04:05Z"))).isEqualTo("2026-01-02T03:04:05.000Z");
    }

    @Test
    void everyUnitAndMeasurementParsesBack() {
        for (SensorType t : SensorType.values()) {
            Map<String, Object> m = Json.object(utf8(Payloads.reading("d", t, t.start, T, 0)));
            assertThat(m.keySet()).containsExactly("device_id", "measurement", "value", "unit", "timestamp", "seq");
            assertThat(m.get("measurement")).isEqualTo(t.id());
            assertThat(m.get("unit")).isEqualTo(t.unit());
        }
    }

    @Test
    void statusAndResponseParseBack() {
        assertThat(Json.object(utf8(Payloads.status("d", false, T)))).containsEntry("device_id", "d")
                .containsEntry("status", "offline").containsEntry("timestamp", "2026-11-27T13:05:31.123Z");
        Map<String, Object> r = Json.object(utf8(Payloads.response("d", "x\"y", false, Payloads.string("a\nb"))));
        assertThat(r).containsEntry("command", "x\"y").containsEntry("ok", false).containsEntry("result", "a\nb");
    }

    @Test
    void sequenceNumbersArePerDeviceAndStartAtZero() {
        Sequences seqs = new Sequences();
        AtomicLong a = seqs.of("a");
        assertThat(a.get()).isZero();
        a.incrementAndGet();
        assertThat(seqs.of("a")).isSameAs(a);
        assertThat(seqs.of("a").get()).isEqualTo(1);
        assertThat(seqs.of("b").get()).isZero();
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
