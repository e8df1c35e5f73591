package io.edgeport.broker.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;

class MoquetteConfigTest {

    @Test
    void durabilityAndListenersReachMoquette() {
        EngineSettings s = EngineSettings.builder().port(Listener.TCP, 1884)
                .storeDirectory(Path.of("/tmp/never-opened")).fsync(true).autosaveInterval(5).messageSizeLimit(100)
                .build();
        assertThat(MoquetteConfig.properties(s))
                .containsEntry("edgeport_persistence_sync", "fsync")
                .containsEntry("autosave_interval", "5")
                .containsEntry("port", "1884")
                .containsEntry("websocket_port", "disabled")
                .containsEntry("ssl_port", "disabled")
                .containsEntry("persistence_enabled", "true")
                .containsEntry("netty.mqtt.message_size", Integer.toString(100 + MoquetteConfig.PACKET_OVERHEAD))
                .containsEntry("telemetry_enabled", "false")
                .containsEntry("allow_zero_byte_client_id", "true");
    }

    @Test
    void noStoreByDefault() {
        EngineSettings s = EngineSettings.builder().port(Listener.TCP, 0).build();
        assertThat(MoquetteConfig.properties(s)).containsEntry("persistence_enabled", "false")
                .containsEntry("edgeport_persistence_sync", "write");
    }
}
