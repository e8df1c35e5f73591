package io.edgeport.commons.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.AlarmEvent;
import io.edgeport.api.alerting.AlarmState;
import io.edgeport.api.alerting.Severity;
import io.edgeport.api.alerting.Transition;

class AlarmJsonTest {

    private static final Alarm RAISED = new Alarm("a-1", "temperature", "threshold", "dev<1>", "temperature",
            Severity.MAJOR, AlarmState.RAISED, "temperature of dev<1> is 61.5 \"C\"", 61.5, 50, Instant.parse(
                    "2026-12-05T18:00:00Z"), null, false, "", null);

    @Test
    void anAlarmIsOneObjectWithSnakeCaseKeysAndNullsForWhatIsMissing() {
        assertThat(AlarmJson.of(RAISED)).isEqualTo("{\"id\":\"a-1\",\"rule\":\"temperature\",\"type\":\"threshold\","
                + "\"device\":\"dev\\u003c1\\u003e\",\"measurement\":\"temperature\",\"severity\":\""
                + Severity.MAJOR.label() + "\",\"state\":\"raised\",\"message\":\"temperature of dev\\u003c1\\u003e is"
                + " 61.5 \\\"C\\\"\",\"value\":61.5,\"limit\":50.0,\"raised_at\":\"2026-12-05T18:00:00Z\","
                + "\"cleared_at\":null,\"acknowledged\":false,\"acknowledged_by\":\"\",\"acknowledged_at\":null}");
    }

    @Test
    void anEventPutsItsIdAndTransitionFirst() {
        Alarm acked = RAISED.acknowledged("operator", Instant.parse("2026-12-05T18:01:00Z"));
        String json = AlarmJson.of(AlarmEvent.of(Transition.ACKNOWLEDGED, acked));
        assertThat(json).startsWith("{\"event\":\"a-1.acknowledged\",\"transition\":\"acknowledged\",\"id\":\"a-1\",")
                .contains("\"acknowledged\":true,\"acknowledged_by\":\"operator\","
                        + "\"acknowledged_at\":\"2026-12-05T18:01:00Z\"}")
                .endsWith("}");
        Alarm offline = new Alarm("a-2", "offline", "offline", "dev2", "", Severity.MINOR, AlarmState.RAISED, "",
                Double.NaN, Double.NaN, Instant.parse("2026-12-05T18:00:00Z"), null, false, "", null);
        assertThat(AlarmJson.of(offline)).contains("\"value\":null,\"limit\":null");
    }
}
