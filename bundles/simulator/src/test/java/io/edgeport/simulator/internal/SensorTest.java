package io.edgeport.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SensorTest {

    @Test
    void aHealthySensorWalksInsideItsNormalBandInSmallSteps() {
        for (SensorType type : SensorType.values()) {
            Sensor s = new Sensor(type, 0, 42);
            double before = s.last();
            assertThat(before).isBetween(type.normalMin, type.normalMax);
            double min = before;
            double max = before;
            double largestStep = 0;
            for (int i = 0; i < 100_000; i++) {
                double v = s.next();
                min = Math.min(min, v);
                max = Math.max(max, v);
                largestStep = Math.max(largestStep, Math.abs(v - before));
                before = v;
            }
            assertThat(min).as(type + " lowest").isGreaterThanOrEqualTo(type.normalMin);
            assertThat(max).as(type + " highest").isLessThanOrEqualTo(type.normalMax);
            assertThat(largestStep).as(type + " drift").isLessThanOrEqualTo(type.maxStep + 1e-9);
            assertThat(type.validMin).isLessThan(type.normalMin);
            assertThat(type.validMax).isGreaterThan(type.normalMax);
        }
    }

    @Test
    void theNormalBandsAreTheBuildingRanges() {
        assertThat(SensorType.TEMPERATURE.normalMin).isEqualTo(15);
        assertThat(SensorType.TEMPERATURE.normalMax).isEqualTo(30);
        assertThat(SensorType.TEMPERATURE.maxStep).isEqualTo(0.1);
        assertThat(SensorType.HUMIDITY.normalMin).isEqualTo(30);
        assertThat(SensorType.HUMIDITY.normalMax).isEqualTo(70);
        assertThat(SensorType.PRESSURE.normalMin).isEqualTo(990);
        assertThat(SensorType.PRESSURE.normalMax).isEqualTo(1030);
    }

    @Test
    void atOutlierRateOneEveryReadingIsOutOfRange() {
        for (SensorType type : SensorType.values()) {
            Sensor s = new Sensor(type, 1, 7);
            for (int i = 0; i < 1000; i++) {
                double v = s.next();
                assertThat(v < type.validMin || v > type.validMax).as(type + " value " + v).isTrue();
            }
        }
    }

    @Test
    void atAModestRateSomeReadingsAreOutliers() {
        Sensor s = new Sensor(SensorType.HUMIDITY, 0.1, 3); // fixed seed: the count is the same on every run
        int outliers = 0;
        for (int i = 0; i < 10_000; i++) {
            double v = s.next();
            if (v < 0 || v > 100) {
                outliers++;
            }
        }
        assertThat(outliers).isBetween(800, 1200);
    }

    @Test
    void dropoutProbabilityPerTickFollowsThePerMinuteRate() {
        assertThat(Device.perTick(0, 1000)).isZero();
        assertThat(Device.perTick(1, 1000)).isEqualTo(1);
        assertThat(Device.perTick(0.5, 60_000)).isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        // 60 ticks of 1 s at 1 - 0.5^(1/60) each give 0.5 per minute.
        double p = Device.perTick(0.5, 1000);
        assertThat(1 - Math.pow(1 - p, 60)).isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    }
}
