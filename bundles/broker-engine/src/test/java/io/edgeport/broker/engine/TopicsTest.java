package io.edgeport.broker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicsTest {

    @ParameterizedTest
    @CsvSource({
        "sport/tennis/#, sport/tennis, true",
        "sport/tennis/#, sport/tennis/player1/ranking, true",
        "sport/+/player1, sport/tennis/player1, true",
        "sport/+, sport/, true",
        "sport/+, sport, false",
        "+/+, /finance, true",
        "#, $SYS/broker/uptime, false",
        "+/broker/#, $SYS/broker/uptime, false",
        "$SYS/#, $SYS/broker/uptime, true",
        "$SYS/+/uptime, $SYS/broker/uptime, true",
        "a/b, a/b/c, false",
        "a/b/c, a/b, false",
        "#, a, true",
    })
    void matchesAsTheSpecSays(String filter, String topic, boolean expected) {
        assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({ "a/#, true", "a/#/b, false", "a+/b, false", "+, true", "a/b#, false", "'', false" })
    void validatesFilters(String filter, boolean valid) {
        assertThat(Topics.isValidFilter(filter)).isEqualTo(valid);
    }

    @ParameterizedTest
    @CsvSource({ "a/b, true", "a/+, false", "a/#, false", "'', false", "$SYS/x, true" })
    void validatesTopicNames(String topic, boolean valid) {
        assertThat(Topics.isValidTopic(topic)).isEqualTo(valid);
    }

    @Test
    void levelsAreComparedWholeAndTheParentLevelMatchesAHash() {
        assertThat(Topics.matches("a/#", "a")).isTrue();
        assertThat(Topics.matches("a/#", "a/b/c")).isTrue();
        assertThat(Topics.matches("a/+", "a")).isFalse();
        assertThat(Topics.matches("a/+", "a/")).isTrue();
        assertThat(Topics.matches("a/+/c", "a/b/c")).isTrue();
        assertThat(Topics.matches("a/+/c", "a/b/cd")).isFalse();
        assertThat(Topics.matches("a/b", "a/bc")).isFalse();
        assertThat(Topics.matches("a/b", "a/b/c")).isFalse();
        assertThat(Topics.matches("+", "a")).isTrue();
        assertThat(Topics.matches("+", "a/b")).isFalse();
        assertThat(Topics.matches("#", "a/b")).isTrue();
    }

    @org.junit.jupiter.api.Test
    void aClientMayAnnounceOnlyItsOwnBridgeState() {
        org.assertj.core.api.Assertions.assertThat(Topics.isOwnBridgeState("$SYS/broker/connection/gw.a/state",
                "gw.a")).isTrue();
        org.assertj.core.api.Assertions.assertThat(Topics.isOwnBridgeState("$SYS/broker/connection/gw.b/state",
                "gw.a")).isFalse();
        org.assertj.core.api.Assertions.assertThat(Topics.isOwnBridgeState("$SYS/broker/connection/gw.a/statex",
                "gw.a")).isFalse();
        org.assertj.core.api.Assertions.assertThat(Topics.isOwnBridgeState("$SYS/broker/clients/total", "x"))
                .isFalse();
        org.assertj.core.api.Assertions.assertThat(Topics.isOwnBridgeState("$SYS/broker/connection//state", ""))
                .isFalse();
    }
}
