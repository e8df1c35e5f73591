package io.edgeport.sink.jdbc.internal;

import java.time.Instant;

/** Just enough JSON writing for the query API: strings per {@link io.edgeport.commons.text.JsonText}, numbers finite. */
final class Json {

    private Json() {
    }

    /** Appends {@code s} as a JSON string; null becomes {@code null}. */
    static StringBuilder string(StringBuilder b, String s) {
        return io.edgeport.commons.text.JsonText.string(b, s);
    }

    static StringBuilder field(StringBuilder b, String name, String value) {
        return string(string(b, name).append(':'), value);
    }

    static StringBuilder field(StringBuilder b, String name, Instant value) {
        return field(b, name, value == null ? null : value.toString());
    }

    static StringBuilder field(StringBuilder b, String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON has no " + value);
        }
        return string(b, name).append(':').append(value);
    }

    static StringBuilder field(StringBuilder b, String name, long value) {
        return string(b, name).append(':').append(value);
    }

    /** A sequence number: {@code null} for none. */
    static StringBuilder seq(StringBuilder b, long seq) {
        return seq < 0 ? string(b, "seq").append(":null") : field(b, "seq", seq);
    }

    /** {@code {"error": message}}. */
    static String error(String message) {
        return field(new StringBuilder("{"), "error", message).append('}').toString();
    }
}
