package io.edgeport.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class FleetSettingsTest {

    @Test
    void defaultsAreValid() {
        FleetSettings s = Configs.settings();
        assertThat(s.name()).isEqualTo("fleet");
        assertThat(s.brokerUrl()).isEmpty();
        assertThat(s.devices()).isEqualTo(10);
        assertThat(s.types()).containsExactly(SensorType.TEMPERATURE, SensorType.HUMIDITY, SensorType.PRESSURE);
        assertThat(s.locations()).containsExactly("building-a/floor-1", "building-a/floor-2");
        assertThat(s.qos()).isEqualTo(1);
        assertThat(s.cleanSession()).isFalse();
        assertThat(s.startJitterMs()).as("-1 means the interval").isEqualTo(1000);
        assertThat(s.username()).isNull();
        assertThat(s.password()).isNull();
    }

    @Test
    void brokerUrlIsNormalisedForPaho() {
        assertThat(Configs.settings("broker.url", "mqtt://0.0.0.0:1884").brokerUrl())
                .isEqualTo("tcp://127.0.0.1:1884");
        assertThat(Configs.settings("broker.url", " tcp://broker.local ").brokerUrl())
                .isEqualTo("tcp://broker.local:1883");
    }

    @Test
    void everyBadValueIsReportedWithItsKey() {
        assertBad("name", "a/b");
        assertBad("name", "");
        assertBad("broker.url", "ssl://h:8883");
        assertBad("broker.url", "not a url");
        assertBad("devices", 0);
        assertBad("devices", 20_001);
        assertBad("id.prefix", "sim/");
        assertBad("locations", new String[0]);
        assertBad("locations", new String[] { "building-a/+" });
        assertBad("types", new String[] { "co2" });
        assertBad("types", new String[0]);
        assertBad("interval.ms", 9L);
        assertBad("qos", 3);
        assertBad("topic", "sensors/{room}");
        assertBad("topic", "sensors/#");
        assertBad("topic", "sensors/dev-{device}"); // one grammar with the telemetry pipeline: whole levels
        assertBad("topic", "{*}/{device}");
        assertBad("keepalive.s", -1);
        assertBad("fault.outlier.rate", 1.5);
        assertBad("fault.outlier.rate", Double.NaN);
        assertBad("fault.dropout.rate", -0.1);
        assertBad("fault.dropout.s", -1);
        assertBad("start.jitter.ms", -2L);
        assertBad("devices", new ClassCastException("String cannot be converted"));
    }

    private static void assertBad(String key, Object value) {
        assertThatIllegalArgumentException().isThrownBy(() -> Configs.settings(key, value))
                .withMessageStartingWith(key);
    }

    @Test
    void allProblemsAreReportedAtOnce() {
        assertThatIllegalArgumentException().isThrownBy(() -> Configs.settings("qos", 5, "interval.ms", 1L))
                .withMessageContaining("qos").withMessageContaining("interval.ms");
    }

    @Test
    void aPasswordNeedsAUsernameAndIsNeverShown() {
        assertThatIllegalArgumentException().isThrownBy(() -> Configs.settings("password", "s3cret"))
                .withMessageStartingWith("password").withMessageNotContaining("s3cret");
        FleetSettings s = Configs.settings("username", "dev", "password", "s3cret");
        assertThat(s.password()).isEqualTo("s3cret");
        assertThat(s.toString()).doesNotContain("s3cret").contains("password=(set)");
    }

    @Test
    void typesAreCaseInsensitiveAndTrimmed() {
        assertThat(Configs.settings("types", new String[] { " Humidity " }).types())
                .containsExactly(SensorType.HUMIDITY);
    }

    @Test
    void deviceIdsAreStableUniqueAndSpreadTypesOverLocations() {
        FleetSettings s = Configs.settings("name", "north", "devices", 20_000);
        assertThat(s.deviceId(0)).isEqualTo("sim-north-temperature-0001");
        assertThat(s.deviceId(1)).isEqualTo("sim-north-humidity-0002");
        assertThat(s.deviceId(19_999)).isEqualTo("sim-north-humidity-20000");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < s.devices(); i++) {
            ids.add(s.deviceId(i));
        }
        assertThat(ids).hasSize(20_000);
        // 3 types x 2 locations: every location gets every type.
        assertThat(List.of(s.locationOf(0), s.locationOf(1), s.locationOf(2), s.locationOf(3)))
                .containsExactly("building-a/floor-1", "building-a/floor-1", "building-a/floor-1",
                        "building-a/floor-2");
        assertThat(s.typeOf(3)).isEqualTo(SensorType.TEMPERATURE);
    }
}
