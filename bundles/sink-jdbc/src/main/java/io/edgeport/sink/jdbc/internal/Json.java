package io.edgeport.sink.jdbc.internal;

import java.time.Instant;

/** Just enough JSON writing for the query API: strings are escaped per RFC 8259, numbers are finite. */
final class Json {

    private Json() {
    }

    /** Appends {@code s} as a JSON string; null becomes {@code null}. */
    static StringBuilder string(StringBuilder b, String s) {
        if (s == null) {
            return b.append("null");
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    // controls must be escaped; < > & and the JavaScript line separators too, so that the text is
                    // also safe inside a script element
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
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
