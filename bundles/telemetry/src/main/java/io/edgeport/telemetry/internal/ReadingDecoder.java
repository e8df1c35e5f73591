package io.edgeport.telemetry.internal;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import io.edgeport.api.telemetry.Reading;
import io.edgeport.commons.mqtt.TopicTemplate;

/**
 * Turns one MQTT message into a {@link Reading}, or says why it cannot.
 *
 * <p>Payload: a bare number ({@code 21.5}: device and measurement from the topic), or a JSON object as the seed's
 * sensors send it — {@code device_id}, {@code measurement}, {@code value},
 * {@code unit}, {@code timestamp} (ISO-8601; without an offset it is UTC; or epoch seconds/milliseconds) and an
 * optional {@code seq}. The topic fills in what the payload leaves out (device, type, location) through the first
 * matching {@link TopicTemplate}; the payload wins where both speak. Missing unit → the usual unit of the measurement;
 * missing timestamp → the time the message was received. Immutable and thread-safe.
 */
final class ReadingDecoder {

    /** The outcome: exactly one of reading and reason is non-null. */
    record Result(Reading reading, String reason) {
        static Result rejected(String reason) {
            return new Result(null, reason);
        }
    }

    static final String[] DEFAULT_TEMPLATES = {
        "sensors/{location}/{type}/{device}/reading",
        "sensors/{location}/{location}/{type}/{device}/reading" };

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(65_536)
                    .maxNumberLength(64).build())
            .build();
    /** A device id, type or unit longer than this is not a sensor's. */
    static final int MAX_TEXT = 256;
    /** Epoch numbers above this are milliseconds, below seconds (1e11 s is the year 5138). */
    private static final double MILLIS_THRESHOLD = 1e11;

    private final List<TopicTemplate> templates;

    ReadingDecoder(List<TopicTemplate> templates) {
        this.templates = List.copyOf(templates);
    }

    List<TopicTemplate> templates() {
        return templates;
    }

    /**
     * Decodes a stored message, once per message and decoder: every consumer that reads the same message (each sink,
     * the alerting engine) shares the result.
     */
    Result decode(io.edgeport.api.store.StoredMessage m) {
        return m.decoded(this, x -> decode(x.topic(), x.payload(), x.accepted()));
    }

    Result decode(String topic, byte[] payload, Instant receivedAt) {
        if (payload.length == 0) {
            return Result.rejected("empty payload");
        }
        String device = null;
        String measurement = null;
        String unit = null;
        Double value = null;
        Instant timestamp = null;
        long seq = Reading.NO_SEQUENCE;
        try (JsonParser p = JSON.createParser(payload)) {
            JsonToken first;
            try {
                first = p.nextToken();
            } catch (JsonParseException e) {
                return Result.rejected("not a JSON object or a number: '"
                        + abbreviate(new String(payload, java.nio.charset.StandardCharsets.UTF_8)) + "'");
            }
            if (first == JsonToken.VALUE_NUMBER_INT || first == JsonToken.VALUE_NUMBER_FLOAT) {
                // A bare number ("21.5"), as many devices send: device and measurement come from the topic.
                value = number(p, first);
                if (p.nextToken() != null) {
                    return Result.rejected("not a JSON object or a number: content after the number");
                }
                return complete(topic, null, null, null, value, null, Reading.NO_SEQUENCE, receivedAt);
            }
            if (first != JsonToken.START_OBJECT) {
                return Result.rejected("not a JSON object or a number");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "device_id", "deviceId", "device" -> device = text(p, v, name);
                    case "measurement", "type", "sensor_type" -> measurement = text(p, v, name);
                    case "unit" -> unit = v == JsonToken.VALUE_NULL ? null : text(p, v, name);
                    case "value" -> value = number(p, v);
                    case "timestamp", "ts", "time" -> timestamp = v == JsonToken.VALUE_NULL ? null : time(p, v);
                    case "seq", "sequence" -> seq = sequence(p, v);
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return Result.rejected("not valid JSON: unexpected " + t);
            }
            if (p.nextToken() != null) {
                return Result.rejected("not valid JSON: content after the object");
            }
        } catch (Rejected e) {
            return Result.rejected(e.getMessage());
        } catch (JsonParseException e) {
            return Result.rejected("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException | RuntimeException e) {
            return Result.rejected("not valid JSON: " + e.getMessage());
        }
        if (value == null) {
            return Result.rejected("no value");
        }
        return complete(topic, device, measurement, unit, value, timestamp, seq, receivedAt);
    }

    /** What the payload said, completed from the topic and the defaults. */
    private Result complete(String topic, String device, String measurement, String unit, double value,
            Instant timestamp, long seq, Instant receivedAt) {
        TopicTemplate.Fields fields = fields(topic);
        String location = fields == null ? "" : fields.location();
        if (device == null || device.isBlank()) {
            device = fields == null ? "" : fields.device();
        }
        if (measurement == null || measurement.isBlank()) {
            measurement = fields == null ? "" : fields.type();
        }
        if (device.isBlank()) {
            return Result.rejected("no device: neither a device_id in the payload nor a {device} level in a"
                    + " configured topic template matches");
        }
        if (measurement.isBlank()) {
            return Result.rejected("no measurement: neither a measurement in the payload nor a {type} level in a"
                    + " configured topic template matches");
        }
        if (unit == null) {
            unit = defaultUnit(measurement);
        }
        return new Result(new Reading(topic, device, location, measurement, value, unit,
                timestamp == null ? receivedAt : timestamp, seq), null);
    }

    private TopicTemplate.Fields fields(String topic) {
        for (TopicTemplate t : templates) {
            TopicTemplate.Fields f = t.match(topic);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    static String defaultUnit(String measurement) {
        return switch (measurement.toLowerCase(Locale.ROOT)) {
            case "temperature" -> "°C";
            case "humidity" -> "%";
            case "pressure" -> "hPa";
            default -> "";
        };
    }

    /** A reason to reject, thrown from inside the parse loop. */
    private static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    private static String text(JsonParser p, JsonToken v, String name) throws IOException {
        if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NUMBER_INT) {
            throw new Rejected(name + " is not a string");
        }
        String s = p.getText().trim();
        if (s.length() > MAX_TEXT) {
            throw new Rejected(name + " is longer than " + MAX_TEXT + " characters");
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw new Rejected(name + " contains control characters");
            }
        }
        return s;
    }

    private static double number(JsonParser p, JsonToken v) throws IOException {
        double d;
        if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
            d = p.getDoubleValue();
        } else if (v == JsonToken.VALUE_STRING) {
            // Some devices quote their numbers ("21.5"): accept a plain decimal, nothing else.
            try {
                d = new BigDecimal(p.getText().trim()).doubleValue();
            } catch (NumberFormatException e) {
                throw new Rejected("value is not a number: '" + abbreviate(p.getText()) + "'");
            }
        } else if (v == JsonToken.VALUE_NULL) {
            throw new Rejected("no value");
        } else {
            throw new Rejected("value is not a number");
        }
        if (!Double.isFinite(d)) {
            throw new Rejected("value is out of the range of a double");
        }
        return d;
    }

    private static long sequence(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return Reading.NO_SEQUENCE;
        }
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw new Rejected("seq is not an integer");
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new Rejected("seq is too large");
        }
        long s = p.getLongValue();
        if (s < 0) {
            throw new Rejected("seq is negative");
        }
        return s;
    }

    private static Instant time(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
            double d = p.getDoubleValue();
            if (!Double.isFinite(d) || d < 0 || d > 1e14) {
                throw new Rejected("timestamp is not a plausible epoch time: " + p.getText());
            }
            long millis = d >= MILLIS_THRESHOLD ? (long) d : (long) (d * 1000);
            return Instant.ofEpochMilli(millis);
        }
        if (v != JsonToken.VALUE_STRING) {
            throw new Rejected("timestamp is not a string or number");
        }
        String s = p.getText().trim();
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            try {
                // Python's datetime.utcnow().isoformat() has no offset: it is UTC.
                return LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeException e2) {
                throw new Rejected("timestamp is not ISO-8601: '" + abbreviate(s) + "'");
            }
        }
    }

    /** At most 40 characters of untrusted text for a reason (it reaches logs and pages): control characters as '?'. */
    private static String abbreviate(String s) {
        String cut = s.length() <= 40 ? s : s.substring(0, 40) + "...";
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
