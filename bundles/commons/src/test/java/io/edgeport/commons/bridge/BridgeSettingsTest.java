package io.edgeport.commons.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BridgeSettingsTest {

    @Test
    void mosquittoStyleSettingsBecomeUrisTopicsAndDefaults() {
        BridgeSettings s = BridgeSettings.from(Map.of("connection", "plant",
                "address", new String[] {"10.0.0.1:1884", "backup.example"},
                "topic", new String[] {"sensors/# out 1", "cmd/# in 1"}), "gw1");
        assertThat(s.uris()).containsExactly("tcp://10.0.0.1:1884", "tcp://backup.example:1883");
        assertThat(s.remoteClientId()).isEqualTo("gw1.plant");
        assertThat(s.notificationTopic()).isEqualTo("$SYS/broker/connection/gw1.plant/state");
        assertThat(s.outRules()).hasSize(1);
        assertThat(s.inRules()).hasSize(1);
        assertThat(s.cleanSession()).isFalse();
        assertThat(s.keepAlive()).isEqualTo(60);
        assertThat(s.restartTimeout()).isEqualTo(5);
        assertThat(s.maxInflight()).isEqualTo(1000);
        assertThat(s.notifications()).isTrue();
        assertThat(s.consumerName()).isEqualTo("bridge-plant");
        assertThat(s.tls()).isFalse();
    }

    @Test
    void valuesAsTextOrSingleStringsAreReadAsTheirType() {
        BridgeSettings s = BridgeSettings.from(Map.of("connection", "plant", "address", "h1:1884 h2",
                "topic", List.of("a/# both 2"), "keepalive_interval", "30", "cleansession", "true",
                "notifications", Boolean.FALSE, "max_inflight_messages", 10L), "gw1");
        assertThat(s.uris()).containsExactly("tcp://h1:1884", "tcp://h2:1883");
        assertThat(s.topics()).singleElement().extracting(TopicRule::qos).isEqualTo(2);
        assertThat(s.keepAlive()).isEqualTo(30);
        assertThat(s.cleanSession()).isTrue();
        assertThat(s.notifications()).isFalse();
        assertThat(s.maxInflight()).isEqualTo(10);
    }

    @Test
    void aBadSettingIsNamedWithItsKey() {
        assertThatThrownBy(() -> BridgeSettings.from(Map.of("connection", "x", "topic", new String[] {"a"}), "h"))
                .hasMessage("address: at least one host:port is needed");
        assertThatThrownBy(() -> BridgeSettings.from(Map.of("connection", "x", "address",
                new String[] {"h:99999"}, "topic", new String[] {"a"}), "h"))
                .hasMessage("address: 'h:99999' is not host:port")
                .isInstanceOfSatisfying(BridgeSettings.Invalid.class, e -> {
                    assertThat(e.key()).isEqualTo("address");
                    assertThat(e.value()).isEqualTo("h:99999");
                });
        assertThatThrownBy(() -> BridgeSettings.from(Map.of("connection", "x", "address",
                new String[] {"h"}, "topic", new String[] {"b/#", "a/# sideways"}), "h"))
                .hasMessageStartingWith("topic: ")
                .isInstanceOfSatisfying(BridgeSettings.Invalid.class, e -> assertThat(e.value())
                        .isEqualTo("a/# sideways"));
        assertThatThrownBy(() -> BridgeSettings.from(Map.of("connection", "bad name", "address",
                new String[] {"h"}, "topic", new String[] {"a"}), "h")).hasMessageStartingWith("connection: ");
        assertThatThrownBy(() -> BridgeSettings.from(Map.of("connection", "x", "address",
                new String[] {"h"}, "topic", new String[] {"a"}, "bridge_cafile", "/nonexistent/ca.crt"), "h"))
                .hasMessageStartingWith("bridge_cafile: cannot read");
        assertThatThrownBy(() -> BridgeSettings.from(Map.of("connection", "x", "address",
                new String[] {"h"}, "topic", new String[] {"a"}, "keepalive_interval", 1), "h"))
                .hasMessage("keepalive_interval: 1 is not between 5 and 65535");
        assertThatThrownBy(() -> BridgeSettings.from(Map.of("connection", "x", "address",
                new String[] {"h"}, "topic", new String[] {"a"}, "restart_timeout", "soon"), "h"))
                .hasMessage("restart_timeout: 'soon' is not a whole number");
        assertThatThrownBy(() -> BridgeSettings.from(Map.of("connection", "x", "address",
                new String[] {"h"}, "topic", new String[] {"a"}, "try_private", "yes"), "h"))
                .hasMessage("try_private: must be true or false, not 'yes'");
    }

    @Test
    void keysOfLeavesOutWhatDoesNotChangeTheBridge() {
        Map<String, Object> a = Map.of("connection", "x", "topic", new String[] {"a"}, BridgeSettings.SOURCE,
                "/etc/m.conf:3", "service.pid", "io.edgeport.bridge~x");
        Map<String, Object> b = Map.of("connection", "x", "topic", new String[] {"a"}, BridgeSettings.SOURCE,
                "/etc/m.conf:9");
        assertThat(BridgeSettings.keysOf(a)).isEqualTo(BridgeSettings.keysOf(b))
                .isEqualTo(Map.of("connection", "x", "topic", List.of("a")));
        assertThat(BridgeSettings.keysOf(Map.of("connection", "x", "topic", new String[] {"b"})))
                .isNotEqualTo(BridgeSettings.keysOf(b));
    }
}
