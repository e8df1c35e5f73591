package io.edgeport.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;

import org.junit.jupiter.api.Test;

class BrokerUrlsTest {

    @Test
    void theFirstMqttListenerWinsAndWildcardsBecomeLoopback() {
        assertThat(BrokerUrls.firstMqttListener(List.of("ws://0.0.0.0:8083/mqtt", "mqtt://0.0.0.0:1883",
                "mqtt://10.0.0.1:1884"))).isEqualTo("tcp://127.0.0.1:1883");
        assertThat(BrokerUrls.firstMqttListener(List.of("mqtt://[::]:1885"))).isEqualTo("tcp://127.0.0.1:1885");
        assertThat(BrokerUrls.firstMqttListener(List.of("mqtt://[::1]:1885"))).isEqualTo("tcp://[::1]:1885");
        assertThat(BrokerUrls.firstMqttListener(List.of("ws://0.0.0.0:8083/mqtt"))).isNull();
        assertThat(BrokerUrls.firstMqttListener(null)).isNull();
    }

    @Test
    void onlyPlainTcpUrlsAreAccepted() {
        assertThat(BrokerUrls.normalize("MQTT://host")).isEqualTo("tcp://host:1883");
        assertThatIllegalArgumentException().isThrownBy(() -> BrokerUrls.normalize("ssl://host:8883"));
        assertThatIllegalArgumentException().isThrownBy(() -> BrokerUrls.normalize("tcp://user@host:1883"));
        assertThatIllegalArgumentException().isThrownBy(() -> BrokerUrls.normalize("tcp://host:1883/x"));
        assertThatIllegalArgumentException().isThrownBy(() -> BrokerUrls.normalize("host:1883"));
    }
}
