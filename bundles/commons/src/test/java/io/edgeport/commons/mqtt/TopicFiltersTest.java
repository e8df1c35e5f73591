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

    @Test
    void matchingFollowsSection47() {
        assertThat(TopicFilters.matches("#", "a/b")).isTrue();
        assertThat(TopicFilters.matches("a/#", "a")).as("# matches the parent").isTrue();
        assertThat(TopicFilters.matches("a/#", "a/b/c")).isTrue();
        assertThat(TopicFilters.matches("a/+", "a/b")).isTrue();
        assertThat(TopicFilters.matches("a/+", "a/b/c")).isFalse();
        assertThat(TopicFilters.matches("a/+", "a")).isFalse();
        assertThat(TopicFilters.matches("a/+/c", "a//c")).as("an empty level is a level").isTrue();
        assertThat(TopicFilters.matches("a/b", "a/b")).isTrue();
        assertThat(TopicFilters.matches("a/b", "a/b/")).isFalse();
        assertThat(TopicFilters.matches("a/b", "a/c")).isFalse();
        assertThat(TopicFilters.matches("+/b", "/b")).isTrue();
        assertThat(TopicFilters.matches("#", "$SYS/x")).as("wildcards do not reach $ topics").isFalse();
        assertThat(TopicFilters.matches("+/x", "$SYS/x")).isFalse();
        assertThat(TopicFilters.matches("$SYS/#", "$SYS/x")).isTrue();
    }
}
