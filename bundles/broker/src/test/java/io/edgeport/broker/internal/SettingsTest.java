package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path data;

    @Test
    void defaultsAreLocalOnlyWithAnonymousAndOneMiBLimit() {
        Settings s = Settings.from(TestConfig.of(Map.of()), data);
        assertThat(s.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(s.allowAnonymous()).isTrue();
        assertThat(s.messageSizeLimit()).isEqualTo(1_048_576);
        assertThat(s.persistenceLocation()).isEqualTo(data.resolve("broker").toAbsolutePath());
        assertThat(s.listenerUris()).containsExactly("mqtt://127.0.0.1:1883");
    }

    @Test
    void autoAnonymousIsOffOnAllInterfaces() {
        assertThat(Settings.from(TestConfig.of(Map.of("bind__address", "0.0.0.0")), data).allowAnonymous())
                .isFalse();
        assertThat(Settings.from(TestConfig.of(Map.of("bind__address", "0.0.0.0", "allow__anonymous", "true")), data)
                .allowAnonymous()).isTrue();
        assertThat(Settings.from(TestConfig.of(Map.of("allow__anonymous", "false")), data).allowAnonymous())
                .isFalse();
    }

    @Test
    void everyBadValueIsNamed() {
        assertThatThrownBy(() -> Settings.from(TestConfig.of(Map.of("port", 70000, "max__keepalive", 0,
                "message__size__limit", -5, "allow__anonymous", "maybe", "websocket__path", "mqtt",
                "max__connections", 0, "sys__interval", -1)), data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port must be")
                .hasMessageContaining("max_keepalive")
                .hasMessageContaining("message_size_limit")
                .hasMessageContaining("allow_anonymous")
                .hasMessageContaining("websocket_path")
                .hasMessageContaining("max_connections")
                .hasMessageContaining("sys_interval");
    }

    @Test
    void tlsNeedsReadableFilesAndSamePortTwiceIsRefused() {
        assertThatThrownBy(() -> Settings.from(TestConfig.of(Map.of("tls__port", 8883, "certfile",
                data.resolve("missing.pem").toString())), data))
                .hasMessageContaining("certfile")
                .hasMessageContaining("keyfile is required");
        assertThatThrownBy(() -> Settings.from(TestConfig.of(Map.of("websocket__port", 1883)), data))
                .hasMessageContaining("port 1883 is given to two listeners");
        assertThatThrownBy(() -> Settings.from(TestConfig.of(Map.of("port", 0)), data))
                .hasMessageContaining("every listener is off");
    }

    @Test
    void unknownBindAddressIsRefused() {
        assertThatThrownBy(() -> Settings.from(TestConfig.of(Map.of("bind__address", "no.such.host.invalid")), data))
                .hasMessageContaining("bind_address");
    }
}
