package io.edgeport.alerting.internal;

import static io.edgeport.alerting.internal.Fixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.edgeport.api.alerting.Severity;

class RuleTest {

    @Test
    void validatesEveryKey() {
        assertThatThrownBy(() -> rule("name", "")).hasMessageContaining("name");
        assertThatThrownBy(() -> rule("name", "a b", "max", 1)).hasMessageContaining("name");
        assertThatThrownBy(() -> rule("type", "nope")).hasMessageContaining("type");
        assertThatThrownBy(() -> rule("max", 1, "severity", "fatal")).hasMessageContaining("severity");
        assertThatThrownBy(() -> rule()).hasMessageContaining("min, max or both");
        assertThatThrownBy(() -> rule("max", "NaN")).hasMessageContaining("max must be a number");
        assertThatThrownBy(() -> rule("max", "abc")).hasMessageContaining("max must be a number");
        assertThatThrownBy(() -> rule("min", "Infinity")).hasMessageContaining("min must be a number");
        assertThatThrownBy(() -> rule("min", 5, "max", 1)).hasMessageContaining("must not be above max");
        assertThatThrownBy(() -> rule("max", 1, "hysteresis", -1)).hasMessageContaining("hysteresis");
        assertThatThrownBy(() -> rule("max", 1, "hysteresis", Double.NaN)).hasMessageContaining("hysteresis");
        assertThatThrownBy(() -> rule("max", 1, "consecutive", 0)).hasMessageContaining("consecutive");
        assertThatThrownBy(() -> rule("max", 1, "for.seconds", -1)).hasMessageContaining("for.seconds");
        assertThatThrownBy(() -> rule("type", "stale", "stale.seconds", 0)).hasMessageContaining("stale.seconds");
        assertThatThrownBy(() -> rule("type", "rate", "rate.limit", -1)).hasMessageContaining("rate.limit");
        assertThatThrownBy(() -> rule("max", 1, "topic", "a/#/b")).hasMessageContaining("topic");
    }

    @Test
    void defaultsAndParsing() {
        Rule r = rule("name", "t", "min", " -10 ", "max", "50", "severity", "CRITICAL");
        assertThat(r.min()).isEqualTo(-10);
        assertThat(r.max()).isEqualTo(50);
        assertThat(r.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(r.message()).isEqualTo(Rule.defaultMessage(RuleType.THRESHOLD));
        assertThat(rule("max", 1).min()).isNaN();
        assertThat(rule("type", "offline").type()).isEqualTo(RuleType.OFFLINE);
    }

    @Test
    void rendersPlaceholdersAndKeepsUnknownOnes() {
        Rule r = rule("max", 1, "message", "{device} at {value}{unit} > {limit} ({nope}) $1 \\");
        assertThat(r.render(Map.of("device", "d1", "value", "3.5", "unit", "°C", "limit", "1")))
                .isEqualTo("d1 at 3.5°C > 1 ({nope}) $1 \\");
        assertThat(Rule.format(50.0)).isEqualTo("50");
        assertThat(Rule.format(-0.1234)).isEqualTo("-0.123");
        assertThat(Rule.format(Double.NaN)).isEmpty();
    }

    @Test
    void topicFilters() {
        assertThat(io.edgeport.commons.mqtt.TopicFilters.matches("sensors/+/temperature/#", "sensors/lab/temperature/d1/reading")).isTrue();
        assertThat(io.edgeport.commons.mqtt.TopicFilters.matches("sensors/+/humidity/#", "sensors/lab/temperature/d1/reading")).isFalse();
        assertThat(io.edgeport.commons.mqtt.TopicFilters.matches("status/+/health", "status/d1/health")).isTrue();
        assertThat(io.edgeport.commons.mqtt.TopicFilters.matches("status/+/health", "status/d1/health/x")).isFalse();
        assertThat(io.edgeport.commons.mqtt.TopicFilters.matches("status/+/health", "status/health")).isFalse();
        assertThat(io.edgeport.commons.mqtt.TopicFilters.matches("sensors/#", "sensors")).isTrue();
        assertThat(io.edgeport.commons.mqtt.TopicFilters.matches("#", "$SYS/x")).isFalse();
        assertThat(io.edgeport.commons.mqtt.TopicFilters.valid("a/+/#")).isTrue();
        assertThat(io.edgeport.commons.mqtt.TopicFilters.valid("a/b#")).isFalse();
        assertThat(io.edgeport.commons.mqtt.TopicFilters.valid("")).isFalse();
    }

    @Test
    void statusPayloadsAndDevices() {
        assertThat(AlertingInput.offline("{\"device_id\":\"d\",\"status\":\"offline\"}".getBytes())).isTrue();
        assertThat(AlertingInput.offline("{\"status\" : \"online\"}".getBytes())).isFalse();
        assertThat(AlertingInput.offline("OFFLINE".getBytes())).isTrue();
        assertThat(AlertingInput.offline(new byte[0])).isFalse();
        assertThat(AlertingInput.offline("{\"status\":\"rebooting\"}".getBytes())).isNull();
        assertThat(AlertingInput.offline("not json".getBytes())).isNull();
        assertThat(AlertingInput.device("status/+/health", "status/sim-a-0001/health")).isEqualTo("sim-a-0001");
        assertThat(AlertingInput.device("devices/#", "devices/x/status")).isEqualTo("x");
    }
}
