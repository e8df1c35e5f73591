package io.edgeport.simulator.internal;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/** {@link FleetConfig} instances as DS would make them: the given properties over the annotation's defaults. */
final class Configs {

    private Configs() {
    }

    /** @param keyValues property key (e.g. "interval.ms"), value, key, value, ... */
    static FleetConfig fleet(Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        return (FleetConfig) Proxy.newProxyInstance(FleetConfig.class.getClassLoader(),
                new Class<?>[] { FleetConfig.class }, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "toString" -> "FleetConfig" + props;
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> proxy == args[0];
                        };
                    }
                    String key = method.getName().replace('_', '.');
                    if (!props.containsKey(key)) {
                        return method.getDefaultValue();
                    }
                    Object v = props.get(key);
                    if (v instanceof RuntimeException e) {
                        throw e; // how DS reports a value it cannot convert
                    }
                    return v;
                });
    }

    static FleetSettings settings(Object... keyValues) {
        return FleetSettings.from(fleet(keyValues));
    }
}
