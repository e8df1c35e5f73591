package io.edgeport.alerting.internal;

import java.util.Locale;

/** The kinds of rules the engine evaluates. */
enum RuleType {
    /** A reading outside min..max. */
    THRESHOLD,
    /** The device's status topic says offline (retained status or Last Will). */
    OFFLINE,
    /** No reading from the device for a while. */
    STALE,
    /** The value changes faster than a limit per minute. */
    RATE;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static RuleType parse(String s) {
        if (s != null) {
            for (RuleType t : values()) {
                if (t.name().equalsIgnoreCase(s.trim())) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("type must be threshold, offline, stale or rate, not '" + s + "'");
    }
}
