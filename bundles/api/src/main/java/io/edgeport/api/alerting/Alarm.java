package io.edgeport.api.alerting;

import java.time.Instant;
import java.util.Objects;

/**
 * An alarm: raised once per rule and device while the rule's condition holds, cleared when it ends, acknowledged by a
 * person at any time. Immutable; the {@code with...} methods return changed copies.
 *
 * @param id unique id of this alarm (a UUID), never reused
 * @param rule name of the rule that raised it
 * @param type the rule's type, for example {@code threshold}, {@code offline}, {@code stale}, {@code rate}
 * @param device the device it is about; never empty
 * @param measurement what was measured, for example {@code temperature}; empty for offline/stale alarms on a device
 * @param severity how bad it is
 * @param state raised (active) or cleared
 * @param message human-readable text from the rule's message template
 * @param value the value that raised it; {@code NaN} when there is none (offline, stale)
 * @param limit the limit that was crossed (a threshold, a rate, seconds); {@code NaN} when there is none
 * @param raisedAt when it was raised
 * @param clearedAt when it was cleared; null while raised
 * @param acknowledged whether a person has acknowledged it
 * @param acknowledgedBy who acknowledged it; empty while not acknowledged
 * @param acknowledgedAt when; null while not acknowledged
 * @since 1.0
 */
public record Alarm(String id, String rule, String type, String device, String measurement, Severity severity,
        AlarmState state, String message, double value, double limit, Instant raisedAt, Instant clearedAt,
        boolean acknowledged, String acknowledgedBy, Instant acknowledgedAt) {

    public Alarm {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(rule, "rule");
        type = type == null ? "" : type;
        Objects.requireNonNull(device, "device");
        measurement = measurement == null ? "" : measurement;
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(state, "state");
        message = message == null ? "" : message;
        Objects.requireNonNull(raisedAt, "raisedAt");
        if (state == AlarmState.CLEARED) {
            Objects.requireNonNull(clearedAt, "clearedAt of a cleared alarm");
        }
        acknowledgedBy = acknowledgedBy == null ? "" : acknowledgedBy;
        if (acknowledged) {
            Objects.requireNonNull(acknowledgedAt, "acknowledgedAt of an acknowledged alarm");
        }
    }

    /** Whether the alarm is raised (its condition still holds). */
    public boolean active() {
        return state == AlarmState.RAISED;
    }

    /** This alarm, cleared at {@code at}. */
    public Alarm cleared(Instant at) {
        return new Alarm(id, rule, type, device, measurement, severity, AlarmState.CLEARED, message, value, limit,
                raisedAt, Objects.requireNonNull(at), acknowledged, acknowledgedBy, acknowledgedAt);
    }

    /** This alarm, acknowledged by {@code by} at {@code at}. */
    public Alarm acknowledged(String by, Instant at) {
        return new Alarm(id, rule, type, device, measurement, severity, state, message, value, limit, raisedAt,
                clearedAt, true, by, Objects.requireNonNull(at));
    }
}
