package io.edgeport.commons.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicFiltersTest {

    @Test
    void theRulesOfMqtt311() {
        assertThat(TopicFilters.valid("#")).isTrue();
        assertThat(TopicFilters.valid("a/+/c/#")).isTrue();
        assertThat(TopicFilters.valid("+")).isTrue();
        assertThat(TopicFilters.valid("/")).isTrue();
        assertThat(TopicFilters.valid("$SYS/#")).isTrue();
        assertThat(TopicFilters.valid("")).isFalse();
        assertThat(TopicFilters.valid(null)).isFalse();
        assertThat(TopicFilters.valid("a/#/c")).isFalse();
        assertThat(TopicFilters.valid("a#")).isFalse();
        assertThat(TopicFilters.valid("a/b+")).isFalse();
        assertThat(TopicFilters.valid("a\0b")).isFalse();
    }
}
