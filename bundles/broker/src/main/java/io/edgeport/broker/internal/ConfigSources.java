package io.edgeport.broker.internal;

import java.lang.reflect.Method;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Where each broker setting comes from: the console's configuration (PID {@value BrokerConfig#PID}), the command line
 * ({@code -Dedgeport.broker.<key>}, a framework property) or the default, in that order of precedence.
 *
 * <p>The configuration keeps only what an operator changed: a stored value equal to what the key would be without it
 * (the command line's or the default) is redundant, dropped from the configuration, so that saving the console form —
 * which posts every field — never pins a value the command line or a later default should decide.
 */
final class ConfigSources {

    /** Every setting key, in the order of {@link BrokerConfig}, with its method. */
    static final Map<String, Method> KEYS;

    static {
        Map<String, Method> keys = new LinkedHashMap<>();
        for (Method m : BrokerConfig.class.getDeclaredMethods()) {
            if (m.getParameterCount() == 0 && m.getDefaultValue() != null) {
                keys.put(ConfigValues.key(m), m);
            }
        }
        KEYS = Collections.unmodifiableMap(keys);
    }

    enum Source {
        CONSOLE("set in the console"), COMMAND_LINE("from the command line"), FILE("from the mosquitto.conf"),
        DEFAULT("default");

        final String label;

        Source(String label) {
            this.label = label;
        }
    }

    private ConfigSources() {
    }

    /** @return the value {@code key} has without the configuration: the command line's, else the default */
    static Object underlying(String key, Function<String, String> frameworkProperty) {
        Method m = KEYS.get(key);
        String v = frameworkProperty.apply(ConfigValues.PREFIX + key);
        if (v == null) {
            return m.getDefaultValue();
        }
        try {
            return ConfigValues.convert(key, "framework property", v, m.getReturnType());
        } catch (IllegalArgumentException e) {
            return null; // an invalid command-line value: the configuration's value is never redundant to it
        }
    }

    static Source source(String key, Map<String, ?> props, Function<String, String> frameworkProperty) {
        return source(key, props, frameworkProperty, k -> null);
    }

    /** @param fileWhere {@code file:line} of a key the mosquitto.conf sets (and the command line does not), or null */
    static Source source(String key, Map<String, ?> props, Function<String, String> frameworkProperty,
                         Function<String, String> fileWhere) {
        if (props.get(key) != null) {
            return Source.CONSOLE;
        }
        if (fileWhere.apply(key) != null) {
            return Source.FILE;
        }
        return frameworkProperty.apply(ConfigValues.PREFIX + key) != null ? Source.COMMAND_LINE : Source.DEFAULT;
    }

    /** @return the running value of {@code key} as text (a bad value as given) */
    static String running(String key, Map<String, ?> props, Function<String, String> frameworkProperty) {
        Object v = props.get(key);
        if (v == null) {
            v = frameworkProperty.apply(ConfigValues.PREFIX + key);
        }
        if (v == null) {
            v = KEYS.get(key).getDefaultValue();
        }
        return v instanceof String[] a ? String.join(",", a) : String.valueOf(v);
    }

    /** @return the keys of {@code props} whose value equals what the key would be without the configuration */
    static Set<String> redundant(Map<String, ?> props, Function<String, String> frameworkProperty) {
        Set<String> out = new TreeSet<>();
        for (Map.Entry<String, Method> e : KEYS.entrySet()) {
            Object v = props.get(e.getKey());
            if (v == null) {
                continue;
            }
            try {
                Object mine = ConfigValues.convert(e.getKey(), "configuration", v, e.getValue().getReturnType());
                if (Objects.equals(mine, underlying(e.getKey(), frameworkProperty))) {
                    out.add(e.getKey());
                }
            } catch (IllegalArgumentException bad) {
                // an invalid value is reported when the settings are built
            }
        }
        return out;
    }

    /** @return {@code props} without {@code keys} */
    static Map<String, Object> without(Map<String, ?> props, Set<String> keys) {
        Map<String, Object> out = new LinkedHashMap<>(props);
        keys.forEach(out::remove);
        return out;
    }
}
