package io.edgeport.sink.jdbc.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * What {@code readings.json} asks for: one device's readings with {@code from <= ts < to}, newest first, at most
 * {@code limit}.
 *
 * @param from inclusive, or null for no lower bound
 * @param to exclusive, or null for no upper bound
 */
record ReadingQuery(String device, Instant from, Instant to, int limit) {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;

    ReadingQuery {
        Objects.requireNonNull(device, "device");
    }

    /**
     * Parses request parameters (each may be null).
     *
     * @throws IllegalArgumentException with a message for the client that names the parameter
     */
    static ReadingQuery parse(String device, String from, String to, String limit) {
        if (device == null || device.isEmpty()) {
            throw new IllegalArgumentException("parameter 'device' is required");
        }
        Instant f = time("from", from);
        Instant t = time("to", to);
        if (f != null && t != null && !f.isBefore(t)) {
            throw new IllegalArgumentException("'from' must be before 'to'");
        }
        int n = DEFAULT_LIMIT;
        if (limit != null && !limit.isEmpty()) {
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_LIMIT) {
                throw new IllegalArgumentException("'limit' must be a number 1.." + MAX_LIMIT);
            }
        }
        return new ReadingQuery(device, f, t, n);
    }

    /** An ISO-8601 instant with Z or an offset, for example 2024-05-01T12:00:00Z or 2024-05-01T14:00:00+02:00. */
    private static Instant time(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + name + "' must be an ISO-8601 time with offset, for example"
                    + " 2024-05-01T12:00:00Z");
        }
    }
}
