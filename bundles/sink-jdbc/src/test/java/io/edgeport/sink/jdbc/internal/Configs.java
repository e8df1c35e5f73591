package io.edgeport.sink.jdbc.internal;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.edgeport.api.telemetry.Reading;

/** Test data: configurations as SCR would build them, and readings. */
final class Configs {

    private Configs() {
    }

    /** A configuration with the given values by property key ("batch.size"), Metatype defaults for the rest. */
    static JdbcSinkConfig config(Map<String, ?> values) {
        return (JdbcSinkConfig) Proxy.newProxyInstance(Configs.class.getClassLoader(),
                new Class<?>[] { JdbcSinkConfig.class }, (p, m, a) -> {
                    String key = m.getName().replace('_', '.');
                    if (values.containsKey(key)) {
                        return values.get(key);
                    }
                    if (m.getDefaultValue() != null) {
                        return m.getDefaultValue();
                    }
                    return switch (m.getName()) {
                        case "annotationType" -> JdbcSinkConfig.class;
                        case "toString" -> "config" + values;
                        case "hashCode" -> System.identityHashCode(p);
                        case "equals" -> p == a[0];
                        default -> throw new UnsupportedOperationException(m.getName());
                    };
                });
    }

    static SinkSettings settings(String url, String table, String... more) {
        Map<String, Object> v = new HashMap<>(Map.of("url", url, "table", table));
        for (int i = 0; i < more.length; i += 2) {
            v.put(more[i], more[i + 1]);
        }
        return SinkSettings.from(config(v), null);
    }

    static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    static Reading reading(String device, String measurement, double value, int secondsAfterT0, long seq) {
        return new Reading("site/" + device + "/" + measurement, device, "building-a/floor-1", measurement, value,
                "°C", T0.plusSeconds(secondsAfterT0), seq);
    }

    static List<Reading> readings(String device, int from, int count) {
        return java.util.stream.IntStream.range(from, from + count)
                .mapToObj(i -> reading(device, "temperature", 20 + i / 10.0, i, i)).toList();
    }
}
