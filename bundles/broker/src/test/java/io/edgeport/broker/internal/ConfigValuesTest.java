package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ConfigValuesTest {

    @Test
    void configAdminWinsOverFrameworkPropertyWhichWinsOverDefault() {
        Map<String, String> fw = Map.of("edgeport.broker.port", "1884", "edgeport.broker.max_connections", "50");
        BrokerConfig c = ConfigValues.of(Map.of("port", 1885), fw::get);
        assertThat(c.port()).isEqualTo(1885);
        assertThat(c.max__connections()).isEqualTo(50);
        assertThat(c.message__size__limit()).isEqualTo(1_048_576);
        assertThat(c.bind__address()).isEqualTo("127.0.0.1");
    }

    @Test
    void valuesOfEveryShapeConvert() {
        BrokerConfig c = ConfigValues.of(Map.of("port", 1883L, "persistence", "false", "bind_address",
                new String[] { "0.0.0.0" }, "require_certificate", Boolean.TRUE), k -> null);
        assertThat(c.port()).isEqualTo(1883);
        assertThat(c.persistence()).isFalse();
        assertThat(c.bind__address()).isEqualTo("0.0.0.0");
        assertThat(c.require__certificate()).isTrue();
    }

    @Test
    void badValuesNameTheKeyAndWhereTheyCameFrom() {
        assertThatThrownBy(() -> ConfigValues.of(Map.of(), k -> k.endsWith("port") ? "eighty" : null).port())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port")
                .hasMessageContaining("framework property edgeport.broker.port")
                .hasMessageContaining("eighty");
        assertThatThrownBy(() -> ConfigValues.of(Map.of("persistence", "yes"), k -> null).persistence())
                .hasMessageContaining("persistence (configuration)");
        assertThatThrownBy(() -> ConfigValues.of(Map.of("port", 1L << 40), k -> null).port())
                .hasMessageContaining("whole number");
    }

    @Test
    void keysFollowTheDsNamingRules() throws Exception {
        assertThat(ConfigValues.key(BrokerConfig.class.getMethod("max__connections"))).isEqualTo("max_connections");
        assertThat(ConfigValues.key(BrokerConfig.class.getMethod("message__size__limit")))
                .isEqualTo("message_size_limit");
        assertThat(ConfigValues.key(BrokerConfig.class.getMethod("port"))).isEqualTo("port");
    }
}
