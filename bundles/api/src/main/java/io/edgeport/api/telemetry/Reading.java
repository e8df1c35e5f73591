package io.edgeport.api.telemetry;

import java.time.Instant;
import java.util.Objects;

/**
 * One sensor reading, decoded from an MQTT message.
 *
 * @param topic the topic the reading was published on
 * @param deviceId the device that measured it; never empty
 * @param location where the device is, as named by the topic (for example {@code building-a/floor-1}); may be empty
 * @param measurement what was measured, for example {@code temperature}; never empty
 * @param value the measured value; finite
 * @param unit unit of {@code value}, for example {@code °C}; may be empty
 * @param timestamp when the device measured it (from the payload; the broker's receive time when the payload has none)
 * @param sequence the device's sequence number of this reading, or {@link #NO_SEQUENCE}
 * @since 1.0
 */
public record Reading(String topic, String deviceId, String location, String measurement, double value, String unit,
        Instant timestamp, long sequence) {

    /** The sequence number of a reading whose payload carries none. */
    public static final long NO_SEQUENCE = -1;

    public Reading {
        Objects.requireNonNull(topic, "topic");
        requireText(deviceId, "deviceId");
        location = location == null ? "" : location;
        requireText(measurement, "measurement");
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value must be finite: " + value);
        }
        unit = unit == null ? "" : unit;
        Objects.requireNonNull(timestamp, "timestamp");
        if (sequence < NO_SEQUENCE) {
            throw new IllegalArgumentException("sequence must be >= 0: " + sequence);
        }
    }

    /** Whether the payload carried a sequence number. */
    public boolean hasSequence() {
        return sequence != NO_SEQUENCE;
    }

    private static void requireText(String s, String name) {
        Objects.requireNonNull(s, name);
        if (s.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }
}
