package io.edgeport.commons.text;

import java.time.Instant;

/**
 * The one rule for writing JSON by hand in Edgeport's small, allocation-light writers (console pages, query APIs,
 * alarm events, simulated devices): strings escaped per RFC 8259, plus {@code < > &} and the JavaScript line
 * separators, so that a value is also safe inside an HTML script element; numbers only when finite.
 */
public final class JsonText {

    private JsonText() {
    }

    /** Appends {@code s} as a JSON string; null becomes {@code null}. */
    public static StringBuilder string(StringBuilder b, String s) {
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

    /** @return {@code s} as a JSON string literal ({@code null} for null) */
    public static String string(String s) {
        return string(new StringBuilder(s == null ? 4 : s.length() + 8), s).toString();
    }

    /** Appends {@code "name":"value"} (value null: {@code null}). */
    public static StringBuilder field(StringBuilder b, String name, String value) {
        return string(string(b, name).append(':'), value);
    }

    /** Appends {@code "name":"2026-12-05T18:00:00Z"}, ISO-8601 UTC (null: {@code null}). */
    public static StringBuilder field(StringBuilder b, String name, Instant value) {
        return field(b, name, value == null ? null : value.toString());
    }

    /** Appends {@code "name":value}; a value that is not finite (NaN, infinite) is written {@code null}. */
    public static StringBuilder number(StringBuilder b, String name, double value) {
        string(b, name).append(':');
        return Double.isFinite(value) ? b.append(value) : b.append("null");
    }

    /** Appends {@code "name":value}. */
    public static StringBuilder field(StringBuilder b, String name, long value) {
        return string(b, name).append(':').append(value);
    }

    /** Appends {@code "name":true|false}. */
    public static StringBuilder field(StringBuilder b, String name, boolean value) {
        return string(b, name).append(':').append(value);
    }
}
