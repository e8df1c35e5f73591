package io.edgeport.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SamplesTest {

    @Test
    void ratesAreTheDifferenceOfTheLastTwoSamplesPerSecondAndABrokerRestartIsNoNegativeRate() {
        Samples s = new Samples(3);
        assertThat(s.rates()).containsExactly(0, 0);
        s.add(10_000, 100, 50, 1);
        s.add(12_000, 300, 60, 2);
        assertThat(s.rates()).containsExactly(100, 5);
        s.add(14_000, 10, 0, 2); // counters began again
        assertThat(s.rates()).containsExactly(0, 0);
        s.add(16_000, 30, 4, 3); // the oldest sample is overwritten
        Json j = new Json();
        s.write(j);
        assertThat(j.end()).isEqualTo("{\"history\":[[14,16],[0.000,10.000],[0.000,2.000],[2,3]]}");
    }

    @Test
    void textIsEscapedForJsonAndPrometheus() {
        assertThat(new Json().field("m", "a\"b\\c\n<x>").end()).isEqualTo("{\"m\":\"a\\\"b\\\\c\\n\\u003cx\\u003e\"}");
        Metrics m = new Metrics();
        m.sample("x", "check", "a \"b\"\\\n", 3);
        assertThat(m.text()).isEqualTo("x{check=\"a \\\"b\\\"\\\\\\n\"} 3\n");
    }
}
