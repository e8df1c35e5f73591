package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LoadAverageTest {

    @Test
    void convergesToASteadyRatePerMinute() {
        LoadAverage l = new LoadAverage();
        long count = 0;
        l.sample(count, 10);
        double v = 0;
        for (int i = 0; i < 60; i++) { // ten minutes of 10 s samples at 5 events per second
            count += 50;
            v = l.sample(count, 10);
        }
        assertThat(v).isCloseTo(300.0, within(1.0));
    }

    @Test
    void firstSampleOnlySetsTheBaseline() {
        LoadAverage l = new LoadAverage();
        assertThat(l.sample(1_000_000, 10)).isZero();
        assertThat(l.sample(1_000_000, 10)).isZero();
    }
}
