package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;

class SettingsTest {

    @TempDir
    Path data;

    private static BrokerConfig cfg(Map<String, Object> props) {
        return ConfigValues.of(props, key -> null);
    }

    @Test
    void defaultsAreLocalOnlyWithAnonymousAndOneMiBLimit() {
        Settings s = Settings.from(cfg(Map.of()), data);
        assertThat(s.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(s.allowAnonymous()).isTrue();
        assertThat(s.messageSizeLimit()).isEqualTo(1_048_576);
        assertThat(s.persistenceLocation()).isEqualTo(data.resolve("broker").toAbsolutePath());
        EngineSettings e = s.engineSettings(true);
        assertThat(e.port(Listener.TCP)).isEqualTo(1883);
        assertThat(e.port(Listener.TLS)).isEqualTo(EngineSettings.OFF);
        assertThat(e.port(Listener.WEBSOCKET)).isEqualTo(EngineSettings.OFF);
        assertThat(e.storeDirectory()).isEqualTo(s.persistenceLocation());
        assertThat(e.admitClients()).isTrue();
        assertThat(s.engineSettings(false).admitClients()).isFalse();
    }

    @Test
    void autoAnonymousIsOffOnAllInterfaces() {
        assertThat(Settings.from(cfg(Map.of("bind_address", "0.0.0.0")), data).allowAnonymous())
                .isFalse();
        assertThat(Settings.from(cfg(Map.of("bind_address", "0.0.0.0", "allow_anonymous", "true")), data)
                .allowAnonymous()).isTrue();
        assertThat(Settings.from(cfg(Map.of("allow_anonymous", "false")), data).allowAnonymous())
                .isFalse();
    }

    @Test
    void everyBadValueIsNamed() {
        assertThatThrownBy(() -> Settings.from(cfg(Map.of("port", 70000, "max_keepalive", 0,
                "message_size_limit", -5, "allow_anonymous", "maybe", "websocket_path", "mqtt",
                "max_connections", 0, "sys_interval", -1, "persistence_sync", "sometimes",
                "autosave_interval", 0)), data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port must be")
                .hasMessageContaining("max_keepalive")
                .hasMessageContaining("message_size_limit")
                .hasMessageContaining("allow_anonymous")
                .hasMessageContaining("websocket_path")
                .hasMessageContaining("max_connections")
                .hasMessageContaining("sys_interval")
                .hasMessageContaining("persistence_sync must be write or fsync: 'sometimes'")
                .hasMessageContaining("autosave_interval");
    }

    @Test
    void durabilityDefaultsToWriteAndFsyncIsAccepted() {
        assertThat(Settings.from(cfg(Map.of()), data).persistenceSync()).isEqualTo("write");
        assertThat(Settings.from(cfg(Map.of()), data).autosaveInterval()).isEqualTo(30);
        assertThat(Settings.from(cfg(Map.of("persistence_sync", " FSYNC ")), data).persistenceSync())
                .isEqualTo("fsync");
        EngineSettings e = Settings.from(cfg(Map.of("persistence_sync", "fsync", "autosave_interval", 5,
                "max_inflight_messages", 0)), data).engineSettings(true);
        assertThat(e.fsync()).isTrue();
        assertThat(e.autosaveInterval()).isEqualTo(5);
        assertThat(e.maxInflightMessages()).as("0 = no limit").isEqualTo(65_535);
        assertThat(Settings.from(cfg(Map.of("persistence", false)), data).engineSettings(true).storeDirectory())
                .isNull();
    }

    @Test
    void tlsNeedsReadableFilesAndSamePortTwiceIsRefused() {
        assertThatThrownBy(() -> Settings.from(cfg(Map.of("tls_port", 8883, "certfile",
                data.resolve("missing.pem").toString())), data))
                .hasMessageContaining("certfile")
                .hasMessageContaining("keyfile is required");
        assertThatThrownBy(() -> Settings.from(cfg(Map.of("websocket_port", 1883)), data))
                .hasMessageContaining("port 1883 is given to two listeners");
        assertThatThrownBy(() -> Settings.from(cfg(Map.of("port", 0)), data))
                .hasMessageContaining("every listener is off");
    }

    @Test
    void unknownBindAddressIsRefused() {
        assertThatThrownBy(() -> Settings.from(cfg(Map.of("bind_address", "no.such.host.invalid")), data))
                .hasMessageContaining("bind_address");
    }
}
