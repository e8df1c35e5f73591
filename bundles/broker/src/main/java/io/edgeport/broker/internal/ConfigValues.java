package io.edgeport.broker.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns the ConfigAdmin properties of the broker into a {@link BrokerConfig}, with a middle layer between the
 * Metatype defaults and the ConfigAdmin values: framework (or system) properties named
 * {@code edgeport.broker.<key>}, e.g. {@code -Dedgeport.broker.port=1884}. Precedence: ConfigAdmin, then the
 * framework property, then the default. A value that cannot be converted is a configuration error naming the key.
 */
final class ConfigValues {

    static final String PREFIX = "edgeport.broker.";

    private ConfigValues() {
    }

    /** The property key of an annotation method, as DS derives it ({@code max__connections} → max_connections). */
    static String key(Method m) {
        return m.getName().replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
    }

    static BrokerConfig of(Map<String, ?> props, Function<String, String> frameworkProperty) {
        return (BrokerConfig) Proxy.newProxyInstance(BrokerConfig.class.getClassLoader(),
                new Class<?>[] { BrokerConfig.class }, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "annotationType":
                            return BrokerConfig.class;
                        case "toString":
                            return "BrokerConfig" + props;
                        case "hashCode":
                            return props.hashCode();
                        case "equals":
                            return proxy == args[0];
                        default:
                            break;
                    }
                    String key = key(method);
                    Object v = props.get(key);
                    String source = "configuration";
                    if (v == null) {
                        v = frameworkProperty.apply(PREFIX + key);
                        source = "framework property " + PREFIX + key;
                    }
                    if (v == null) {
                        return method.getDefaultValue();
                    }
                    return convert(key, source, v, method.getReturnType());
                });
    }

    static Object convert(String key, String source, Object v, Class<?> type) {
        try {
            if (type == String.class) {
                return v instanceof String[] a ? (a.length == 0 ? "" : a[0]) : String.valueOf(v);
            }
            if (type == int.class) {
                return v instanceof Number n ? Math.toIntExact(n.longValue()) : Integer.parseInt(v.toString().trim());
            }
            if (type == boolean.class) {
                if (v instanceof Boolean b) {
                    return b;
                }
                String s = v.toString().trim();
                if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                    return Boolean.parseBoolean(s);
                }
                throw new IllegalArgumentException(s);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid broker configuration: " + key + " (" + source + ") has value '"
                    + v + "', expected " + (type == int.class ? "a whole number" : type.getSimpleName()));
        }
        throw new IllegalStateException("unsupported attribute type " + type);
    }
}
