package io.edgeport.broker.internal;

import java.lang.annotation.Annotation;
import java.util.HashMap;
import java.util.Map;

/** Builds {@link BrokerConfig} instances for tests: defaults of the annotation, overridden by a map. */
final class TestConfig {

    private TestConfig() {
    }

    static BrokerConfig of(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>(overrides);
        return (BrokerConfig) java.lang.reflect.Proxy.newProxyInstance(BrokerConfig.class.getClassLoader(),
                new Class<?>[] { BrokerConfig.class }, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return BrokerConfig.class;
                    }
                    if (method.getDeclaringClass() == Object.class || method.getDeclaringClass() == Annotation.class) {
                        return switch (method.getName()) {
                            case "toString" -> "TestConfig" + values;
                            case "hashCode" -> values.hashCode();
                            case "equals" -> proxy == args[0];
                            default -> null;
                        };
                    }
                    return values.containsKey(method.getName()) ? values.get(method.getName())
                            : method.getDefaultValue();
                });
    }

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
