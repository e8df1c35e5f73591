package io.edgeport.alerting.internal;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.edgeport.api.telemetry.Reading;

/** Rules from key/value pairs (as ConfigAdmin would give them) and readings. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Fixtures() {
    }

    /** A rule with the defaults of {@link RuleConfig} and the given keys (DS names: for.seconds etc.). */
    static Rule rule(Object... kv) {
        return Rule.from(config(kv));
    }

    static RuleConfig config(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return new RuleConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return RuleConfig.class;
            }

            private Object get(String k, Object d) {
                return m.getOrDefault(k, d);
            }

            @Override
            public String name() {
                return (String) get("name", "r");
            }

            @Override
            public String type() {
                return (String) get("type", "threshold");
            }

            @Override
            public String severity() {
                return (String) get("severity", "major");
            }

            @Override
            public boolean enabled() {
                return (Boolean) get("enabled", true);
            }

            @Override
            public String measurement() {
                return (String) get("measurement", "");
            }

            @Override
            public String topic() {
                return (String) get("topic", "");
            }

            @Override
            public String min() {
                return String.valueOf(get("min", ""));
            }

            @Override
            public String max() {
                return String.valueOf(get("max", ""));
            }

            @Override
            public double hysteresis() {
                return ((Number) get("hysteresis", 0)).doubleValue();
            }

            @Override
            public long for_seconds() {
                return ((Number) get("for.seconds", 0)).longValue();
            }

            @Override
            public int consecutive() {
                return ((Number) get("consecutive", 1)).intValue();
            }

            @Override
            public long stale_seconds() {
                return ((Number) get("stale.seconds", 300)).longValue();
            }

            @Override
            public double rate_limit() {
                return ((Number) get("rate.limit", 10)).doubleValue();
            }

            @Override
            public String message() {
                return (String) get("message", "");
            }
        };
    }

    static Reading reading(String device, String measurement, double value, Instant ts) {
        return new Reading("sensors/lab/" + measurement + "/" + device + "/reading", device, "lab", measurement, value,
                measurement.equals("temperature") ? "°C" : "", ts, Reading.NO_SEQUENCE);
    }

    static Reading temp(String device, double value, long secondsAfterT0) {
        return reading(device, "temperature", value, T0.plus(Duration.ofSeconds(secondsAfterT0)));
    }
}
