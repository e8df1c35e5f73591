package io.edgeport.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class BridgeSettingsTest {

    /** A configuration as ConfigAdmin would give it: the values in {@code values}, the defaults for the rest. */
    static BridgeConfig config(Map<String, Object> values) {
        return (BridgeConfig) java.lang.reflect.Proxy.newProxyInstance(BridgeConfig.class.getClassLoader(),
                new Class<?>[] {BridgeConfig.class}, (proxy, m, args) -> {
                    if (m.getName().equals("annotationType")) {
                        return BridgeConfig.class;
                    }
                    Object v = values.get(m.getName().replace("__", "_")); // the property names
                    return v != null ? v : m.getDefaultValue();
                });
    }

    @Test
    void mosquittoStyleSettingsBecomeUrisTopicsAndDefaults() {
        BridgeSettings s = BridgeSettings.from(config(Map.of("connection", "plant",
                "address", new String[] {"10.0.0.1:1884", "backup.example"},
                "topic", new String[] {"sensors/# out 1", "cmd/# in 1"})), "gw1");
        assertThat(s.uris()).containsExactly("tcp://10.0.0.1:1884", "tcp://backup.example:1883");
        assertThat(s.remoteClientId()).isEqualTo("gw1.plant");
        assertThat(s.notificationTopic()).isEqualTo("$SYS/broker/connection/gw1.plant/state");
        assertThat(s.outRules()).hasSize(1);
        assertThat(s.inRules()).hasSize(1);
        assertThat(s.cleanSession()).isFalse();
        assertThat(s.consumerName()).isEqualTo("bridge-plant");
        assertThat(s.tls()).isFalse();
    }

    @Test
    void aBadSettingIsNamedWithItsKey() {
        assertThatThrownBy(() -> BridgeSettings.from(config(Map.of("connection", "x", "topic", new String[] {"a"})),
                "h")).hasMessage("address: at least one host:port is needed");
        assertThatThrownBy(() -> BridgeSettings.from(config(Map.of("connection", "x", "address",
                new String[] {"h:99999"}, "topic", new String[] {"a"})), "h"))
                .hasMessage("address: 'h:99999' is not host:port");
        assertThatThrownBy(() -> BridgeSettings.from(config(Map.of("connection", "x", "address",
                new String[] {"h"}, "topic", new String[] {"a/# sideways"})), "h"))
                .hasMessageStartingWith("topic: ");
        assertThatThrownBy(() -> BridgeSettings.from(config(Map.of("connection", "bad name", "address",
                new String[] {"h"}, "topic", new String[] {"a"})), "h")).hasMessageStartingWith("connection: ");
        assertThatThrownBy(() -> BridgeSettings.from(config(Map.of("connection", "x", "address",
                new String[] {"h"}, "topic", new String[] {"a"}, "bridge_cafile", "/nonexistent/ca.crt")), "h"))
                .hasMessageStartingWith("bridge_cafile: cannot read");
        assertThatThrownBy(() -> BridgeSettings.from(config(Map.of("connection", "x", "address",
                new String[] {"h"}, "topic", new String[] {"a"}, "keepalive_interval", 1)), "h"))
                .hasMessage("keepalive_interval: 1 is not between 5 and 65535");
    }
}
