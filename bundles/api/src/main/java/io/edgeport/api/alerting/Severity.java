package io.edgeport.api.alerting;

import java.util.Locale;

/**
 * How bad an alarm is, most severe first (the order of ITU-T X.733 / IEC 62682 perceived severities).
 *
 * @since 1.0
 */
public enum Severity {
    CRITICAL, MAJOR, MINOR, WARNING;

    /** Lower-case name, as used in topics ({@code alerts/critical/...}) and JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param s a name in any case, surrounding blanks ignored
     * @throws IllegalArgumentException when it names no severity
     */
    public static Severity parse(String s) {
        if (s != null) {
            for (Severity v : values()) {
                if (v.name().equalsIgnoreCase(s.trim())) {
                    return v;
                }
            }
        }
        throw new IllegalArgumentException("severity must be critical, major, minor or warning, not '" + s + "'");
    }
}
