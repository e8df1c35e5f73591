package io.edgeport.api.alerting;

import java.time.Instant;
import java.util.Objects;

/**
 * An alarm: raised once per rule and device while the rule's condition holds, cleared when it ends, acknowledged by a
 * person at any time. Immutable; {@link #cleared} and {@link #acknowledged} return changed copies. Make alarms with
 * {@link #builder} rather than the canonical constructor: a component added in a later minor version gets a default in
 * the builder, while the constructor's signature changes.
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

    /**
     * @return a builder for a raised, unacknowledged alarm; {@code value} and {@code limit} default to NaN
     * @since 2.1
     */
    public static Builder builder(String id, String rule, String device, Severity severity, Instant raisedAt) {
        return new Builder(id, rule, device, severity, raisedAt);
    }

    /**
     * @return a builder holding this alarm's values
     * @since 2.1
     */
    public Builder toBuilder() {
        Builder b = new Builder(id, rule, device, severity, raisedAt).type(type).measurement(measurement)
                .message(message).value(value).limit(limit);
        if (state == AlarmState.CLEARED) {
            b.cleared(clearedAt);
        }
        if (acknowledged) {
            b.acknowledged(acknowledgedBy, acknowledgedAt);
        }
        return b;
    }

    /**
     * Builds an {@link Alarm}; not thread-safe.
     *
     * @since 2.1
     */
    public static final class Builder {
        private final String id;
        private final String rule;
        private final String device;
        private final Severity severity;
        private final Instant raisedAt;
        private String type = "";
        private String measurement = "";
        private String message = "";
        private double value = Double.NaN;
        private double limit = Double.NaN;
        private Instant clearedAt;
        private String acknowledgedBy = "";
        private Instant acknowledgedAt;

        Builder(String id, String rule, String device, Severity severity, Instant raisedAt) {
            this.id = id;
            this.rule = rule;
            this.device = device;
            this.severity = severity;
            this.raisedAt = raisedAt;
        }

        public Builder type(String type) {
            this.type = type;
            return this;
        }

        public Builder measurement(String measurement) {
            this.measurement = measurement;
            return this;
        }

        public Builder message(String message) {
            this.message = message;
            return this;
        }

        public Builder value(double value) {
            this.value = value;
            return this;
        }

        public Builder limit(double limit) {
            this.limit = limit;
            return this;
        }

        /** Cleared at {@code at} (null: raised). */
        public Builder cleared(Instant at) {
            this.clearedAt = at;
            return this;
        }

        /** Acknowledged by {@code by} at {@code at} ({@code at} null: not acknowledged). */
        public Builder acknowledged(String by, Instant at) {
            this.acknowledgedBy = by;
            this.acknowledgedAt = at;
            return this;
        }

        /** @throws NullPointerException when a required value is missing (see {@link Alarm}) */
        public Alarm build() {
            return new Alarm(id, rule, type, device, measurement, severity,
                    clearedAt == null ? AlarmState.RAISED : AlarmState.CLEARED, message, value, limit, raisedAt,
                    clearedAt, acknowledgedAt != null, acknowledgedAt == null ? "" : acknowledgedBy, acknowledgedAt);
        }
    }

    /** Whether the alarm is raised (its condition still holds). */
    public boolean active() {
        return state == AlarmState.RAISED;
    }

    /** This alarm, cleared at {@code at}. */
    public Alarm cleared(Instant at) {
        return toBuilder().cleared(Objects.requireNonNull(at)).build();
    }

    /** This alarm, acknowledged by {@code by} at {@code at}. */
    public Alarm acknowledged(String by, Instant at) {
        return toBuilder().acknowledged(by, Objects.requireNonNull(at)).build();
    }
}
