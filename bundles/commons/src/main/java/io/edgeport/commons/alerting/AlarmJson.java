package io.edgeport.commons.alerting;

import static io.edgeport.commons.text.JsonText.field;
import static io.edgeport.commons.text.JsonText.number;

import java.util.Locale;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.AlarmEvent;

/**
 * The JSON of alarms and alarm events, as the HTTP API, the webhook and the MQTT action send them: one object with
 * snake_case keys ({@code id, rule, type, device, measurement, severity, state, message, value, limit, raised_at,
 * cleared_at, acknowledged, acknowledged_by, acknowledged_at}; an event adds {@code event} and {@code transition}
 * first). Times are ISO-8601 UTC, missing values {@code null}; strings per {@link io.edgeport.commons.text.JsonText}.
 * Kept out of the exported API so that the format can change without a new API version.
 */
public final class AlarmJson {

    private AlarmJson() {
    }

    /** @return the alarm as one JSON object */
    public static String of(Alarm a) {
        return append(new StringBuilder(320).append('{'), a).append('}').toString();
    }

    /** @return the event as one JSON object: the alarm's fields after {@code event} and {@code transition} */
    public static String of(AlarmEvent e) {
        StringBuilder b = new StringBuilder(384).append('{');
        field(b, "event", e.id()).append(',');
        field(b, "transition", e.transition().name().toLowerCase(Locale.ROOT)).append(',');
        return append(b, e.alarm()).append('}').toString();
    }

    private static StringBuilder append(StringBuilder b, Alarm a) {
        field(b, "id", a.id()).append(',');
        field(b, "rule", a.rule()).append(',');
        field(b, "type", a.type()).append(',');
        field(b, "device", a.device()).append(',');
        field(b, "measurement", a.measurement()).append(',');
        field(b, "severity", a.severity().label()).append(',');
        field(b, "state", a.state().name().toLowerCase(Locale.ROOT)).append(',');
        field(b, "message", a.message()).append(',');
        number(b, "value", a.value()).append(',');
        number(b, "limit", a.limit()).append(',');
        field(b, "raised_at", a.raisedAt()).append(',');
        field(b, "cleared_at", a.clearedAt()).append(',');
        field(b, "acknowledged", a.acknowledged()).append(',');
        field(b, "acknowledged_by", a.acknowledgedBy()).append(',');
        return field(b, "acknowledged_at", a.acknowledgedAt());
    }
}
