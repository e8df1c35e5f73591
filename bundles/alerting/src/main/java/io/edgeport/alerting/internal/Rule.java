package io.edgeport.alerting.internal;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.edgeport.api.alerting.Severity;
import io.edgeport.api.telemetry.Reading;

/**
 * A validated {@link RuleConfig}. Immutable. Every check names the configuration key it refers to.
 *
 * @param min lowest normal value, {@code NaN} for none
 * @param max highest normal value, {@code NaN} for none
 * @param topic topic filter, empty for any
 */
record Rule(String name, RuleType type, Severity severity, boolean enabled, String measurement, String topic,
        double min, double max, double hysteresis, long forSeconds, int consecutive, long staleSeconds,
        double rateLimit, String message) {

    static final String DEFAULT_STATUS_FILTER = "status/+/health";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)\\}");

    /** @throws IllegalArgumentException naming the key of the first invalid value */
    static Rule from(RuleConfig c) {
        String name = trim(c.name());
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: must be 1-64 characters of A-Z a-z 0-9 . _ -, not '" + name + "'");
        }
        RuleType type = RuleType.parse(c.type());
        Severity severity = Severity.parse(c.severity());
        String topic = trim(c.topic());
        if (!topic.isEmpty() && !io.edgeport.commons.mqtt.TopicFilters.valid(topic)) {
            throw new IllegalArgumentException("topic: '" + topic + "' is not an MQTT topic filter");
        }
        double min = number(c.min(), "min");
        double max = number(c.max(), "max");
        if (type == RuleType.THRESHOLD && Double.isNaN(min) && Double.isNaN(max)) {
            throw new IllegalArgumentException("min, max: a threshold rule needs min, max or both");
        }
        if (!Double.isNaN(min) && !Double.isNaN(max) && min > max) {
            throw new IllegalArgumentException("min: " + min + " must not be above max (" + max + ")");
        }
        double h = c.hysteresis();
        if (!(h >= 0) || Double.isInfinite(h)) {
            throw new IllegalArgumentException("hysteresis: must be a number >= 0, not " + h);
        }
        if (c.for_seconds() < 0 || c.for_seconds() > 86_400 * 30L) {
            throw new IllegalArgumentException("for.seconds: must be 0..2592000, not " + c.for_seconds());
        }
        if (c.consecutive() < 1 || c.consecutive() > 1_000_000) {
            throw new IllegalArgumentException("consecutive: must be 1..1000000, not " + c.consecutive());
        }
        if (c.stale_seconds() < 1 || c.stale_seconds() > 86_400 * 365L) {
            throw new IllegalArgumentException("stale.seconds: must be 1..31536000, not " + c.stale_seconds());
        }
        double rate = c.rate_limit();
        if (type == RuleType.RATE && !(rate >= 0 && Double.isFinite(rate))) {
            throw new IllegalArgumentException("rate.limit: must be a number >= 0, not " + rate);
        }
        String message = c.message() == null || c.message().isBlank() ? defaultMessage(type) : c.message().trim();
        return new Rule(name, type, severity, c.enabled(), trim(c.measurement()), topic, min, max, h,
                c.for_seconds(), c.consecutive(), c.stale_seconds(), rate, message);
    }

    static String defaultMessage(RuleType type) {
        return switch (type) {
            case THRESHOLD -> "{measurement} of {device} is {value} {unit}, outside {min}..{max}";
            case OFFLINE -> "{device} is offline";
            case STALE -> "{device} has sent no reading for more than {limit} s";
            case RATE -> "{measurement} of {device} changes by {rate} {unit}/min, more than {limit}";
        };
    }

    /** Whether a reading is one this (reading-based) rule looks at. */
    boolean matches(Reading r) {
        return (measurement.isEmpty() || measurement.equals(r.measurement()))
                && (topic.isEmpty() || io.edgeport.commons.mqtt.TopicFilters.matches(topic, r.topic()));
    }

    /** Whether a status topic is one this offline rule looks at. */
    boolean matchesStatus(String statusTopic) {
        return io.edgeport.commons.mqtt.TopicFilters.matches(topic.isEmpty() ? DEFAULT_STATUS_FILTER : topic, statusTopic);
    }

    /** The message with every known placeholder replaced; unknown placeholders stay as they are. */
    String render(Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(message);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            m.appendReplacement(b, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        return m.appendTail(b).toString();
    }

    /** A number for the message: no trailing ".0", empty for NaN. */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Math.abs(v) >= 1e15) {
            return Double.toString(v);
        }
        double r = Math.round(v * 1000.0) / 1000.0;
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }

    private static double number(String s, String key) {
        String t = trim(s);
        if (t.isEmpty()) {
            return Double.NaN;
        }
        try {
            double d = Double.parseDouble(t);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number or empty, not '" + t + "'");
        }
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }
}
