package io.edgeport.commons.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicFilterMatchingTest {

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "a/b/c | a/b/c | true",
        "a/b/c | a/b/cd | false",
        "a/b/c | a/b | false",
        "a/b | a/b/c | false",
        "a/+/c | a/x/c | true",
        "a/+/c | a//c | true",
        "a/+/c | a/x/y/c | false",
        "a/+ | a | false",
        "a/+ | a/ | true",
        "a/# | a | true",
        "a/# | a/b/c | true",
        "a/# | ab/c | false",
        "# | a/b | true",
        "+/+ | a/b | true",
        "+/+ | a/b/c | false",
        "+ | $SYS | false",
        "# | $SYS/broker | false",
        "$SYS/# | $SYS/broker | true",
        "status/+/health | status/dev-1/health | true",
        "status/+/health | status/dev-1/healthy | false",
        "sensors/+/+/+/reading | sensors/lab/temperature/p1/reading | true",
    })
    void matchesAsMqttSays(String filter, String topic, boolean expected) {
        assertThat(TopicFilters.matches(filter, topic)).isEqualTo(expected);
    }
}
