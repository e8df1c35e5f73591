package io.edgeport.alerting.internal;

import java.util.Map;

/**
 * What a rule concludes from one input for one {@link AlarmKey}.
 *
 * @param value the value to record (the reading, the rate, the seconds without data); NaN for none
 * @param limit the limit that was crossed; NaN for none
 * @param values placeholder values for the message
 */
record Verdict(Kind kind, double value, double limit, Map<String, String> values) {

    enum Kind { NONE, RAISE, CLEAR }

    static final Verdict NONE = new Verdict(Kind.NONE, Double.NaN, Double.NaN, Map.of());

    static Verdict clear(double value) {
        return new Verdict(Kind.CLEAR, value, Double.NaN, Map.of());
    }
}
