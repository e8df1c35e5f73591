package io.edgeport.alerting.internal;

import static io.edgeport.alerting.internal.Fixtures.reading;
import static io.edgeport.alerting.internal.Fixtures.rule;
import static io.edgeport.alerting.internal.Fixtures.temp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.Severity;
import io.edgeport.api.telemetry.Reading;

class ThresholdRuleTest {

    @TempDir
    Path dir;
    EngineFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new EngineFixture(dir);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private void put(Object... kv) throws Exception {
        f.engine.putRule(rule(kv));
    }

    private void feed(Reading... r) throws Exception {
        f.engine.readings(List.of(r));
    }

    @Test
    void valueExactlyOnTheLimitIsNormal() throws Exception {
        put("name", "temperature", "measurement", "temperature", "min", -10, "max", 50);
        feed(temp("d1", 50.0, 0), temp("d2", -10.0, 0), temp("d3", 49.999, 0));
        assertThat(f.engine.active()).isEmpty();
        feed(temp("d1", 50.5, 1), temp("d2", -10.0001, 1));
        assertThat(f.engine.active()).extracting(Alarm::device).containsExactlyInAnyOrder("d1", "d2");
        Alarm d1 = f.engine.active().stream().filter(a -> a.device().equals("d1")).findFirst().orElseThrow();
        assertThat(d1.limit()).isEqualTo(50.0);
        assertThat(d1.value()).isEqualTo(50.5);
        assertThat(d1.severity()).isEqualTo(Severity.MAJOR);
        assertThat(d1.message()).isEqualTo("temperature of d1 is 50.5 °C, outside -10..50");
        assertThat(d1.measurement()).isEqualTo("temperature");
    }

    @Test
    void raisedOnceWhileTheConditionHoldsAndClearedWithHysteresis() throws Exception {
        put("name", "t", "measurement", "temperature", "max", 50, "hysteresis", 2);
        feed(temp("d1", 60, 0));
        feed(temp("d1", 70, 1), temp("d1", 65, 2));
        feed(temp("d1", 49, 3)); // back inside but not by the hysteresis
        feed(temp("d1", 48.5, 4));
        assertThat(f.events()).containsExactly("raised d1/temperature");
        feed(temp("d1", 48, 5)); // exactly max - hysteresis clears
        assertThat(f.events()).containsExactly("raised d1/temperature", "cleared d1/temperature");
        assertThat(f.engine.active()).isEmpty();
        feed(temp("d1", 51, 6));
        assertThat(f.events()).containsExactly("raised d1/temperature", "cleared d1/temperature",
                "raised d1/temperature");
    }

    @Test
    void lowerLimitHysteresis() throws Exception {
        put("name", "h", "measurement", "humidity", "min", 0, "max", 100, "hysteresis", 2);
        Instant t = Fixtures.T0;
        feed(reading("d1", "humidity", -1, t));
        feed(reading("d1", "humidity", 1.9, t.plusSeconds(1)));
        assertThat(f.engine.active()).hasSize(1);
        feed(reading("d1", "humidity", 2, t.plusSeconds(2)));
        assertThat(f.engine.active()).isEmpty();
    }

    @Test
    void otherMeasurementsTopicsAndMissingLimitsAreIgnored() throws Exception {
        put("name", "t", "measurement", "temperature", "max", 50); // no min: any low value is fine
        put("name", "lab", "topic", "sensors/lab/+/+/reading", "min", 0);
        feed(reading("d1", "humidity", 99, Fixtures.T0), temp("d2", -1000, 0));
        assertThat(f.engine.active()).extracting(Alarm::rule, Alarm::device, Alarm::measurement)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("lab", "d2", "temperature"));
        Reading elsewhere = new Reading("sensors/hall/temperature/d3/reading", "d3", "hall", "temperature", -5, "",
                Fixtures.T0, Reading.NO_SEQUENCE);
        feed(elsewhere);
        assertThat(f.engine.active()).extracting(Alarm::device).containsExactly("d2");
    }

    @Test
    void notANumberNeverReachesTheEngine() {
        // The decoder refuses NaN and infinities; Reading itself guarantees a finite value.
        assertThatThrownBy(() -> temp("d1", Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> temp("d1", Double.POSITIVE_INFINITY, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void consecutiveReadingsBeforeRaising() throws Exception {
        put("name", "t", "max", 50, "consecutive", 3);
        feed(temp("d1", 60, 0), temp("d1", 60, 1));
        feed(temp("d1", 40, 2)); // the run is broken
        feed(temp("d1", 60, 3), temp("d1", 60, 4));
        assertThat(f.engine.active()).isEmpty();
        feed(temp("d1", 60, 5));
        assertThat(f.engine.active()).hasSize(1);
    }

    @Test
    void forSecondsByReadingTimeStamps() throws Exception {
        put("name", "t", "max", 50, "for.seconds", 60);
        feed(temp("d1", 60, 0), temp("d1", 60, 30), temp("d1", 60, 59));
        assertThat(f.engine.active()).isEmpty();
        feed(temp("d1", 60, 60)); // exactly 60 s is enough
        assertThat(f.engine.active()).hasSize(1);
    }

    @Test
    void aDeviceClockJumpingBackNeverRaisesEarly() throws Exception {
        put("name", "t", "max", 50, "for.seconds", 60);
        feed(temp("d1", 60, 0));
        feed(temp("d1", 60, -3600)); // the device clock jumped back an hour: the period starts again
        feed(temp("d1", 60, -3600 + 59));
        assertThat(f.engine.active()).isEmpty();
        feed(temp("d1", 60, -3600 + 60));
        assertThat(f.engine.active()).hasSize(1);
    }

    @Test
    void aDeviceClockJumpingForwardCountsAsElapsed() throws Exception {
        put("name", "t", "max", 50, "for.seconds", 60, "consecutive", 2);
        feed(temp("d1", 60, 0), temp("d1", 60, 86_400));
        assertThat(f.engine.active()).hasSize(1);
    }

    @Test
    void changedLimitsApplyAtTheNextReadingAndDeletedRulesClearTheirAlarms() throws Exception {
        put("name", "t", "max", 50);
        feed(temp("d1", 60, 0));
        put("name", "t", "max", 100); // changed at runtime: the alarm stays until a reading says otherwise
        assertThat(f.engine.active()).hasSize(1);
        feed(temp("d1", 60, 1));
        assertThat(f.engine.active()).isEmpty();
        feed(temp("d1", 120, 2));
        assertThat(f.engine.active()).hasSize(1);
        f.engine.removeRule("t", false); // gone with the bundle: stays raised
        assertThat(f.engine.active()).hasSize(1);
        put("name", "t", "max", 100);
        f.engine.removeRule("t", true); // configuration deleted
        assertThat(f.engine.active()).isEmpty();
        feed(temp("d1", 1000, 3));
        assertThat(f.engine.active()).isEmpty();
        assertThat(f.events()).containsExactly("raised d1/temperature", "cleared d1/temperature",
                "raised d1/temperature", "cleared d1/temperature");
    }

    @Test
    void disablingOrReshapingARuleClearsItsAlarms() throws Exception {
        put("name", "t", "max", 50);
        feed(temp("d1", 60, 0));
        put("name", "t", "max", 50, "measurement", "humidity");
        assertThat(f.engine.active()).isEmpty();
        put("name", "t", "max", 50);
        feed(temp("d1", 60, 1));
        put("name", "t", "max", 50, "enabled", false);
        assertThat(f.engine.active()).isEmpty();
        feed(temp("d1", 60, 2));
        assertThat(f.engine.active()).isEmpty();
    }
}
