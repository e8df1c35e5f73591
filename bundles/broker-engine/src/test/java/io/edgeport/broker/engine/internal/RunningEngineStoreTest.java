package io.edgeport.broker.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.broker.engine.Engine;
import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;
import io.moquette.broker.EdgeportServer;

/**
 * A store that cannot be opened is set aside so that the broker stays available; a port that is in use says nothing
 * about the store, and the store (retained messages, persistent sessions) must stay where it is.
 */
class RunningEngineStoreTest {

    @TempDir
    Path data;

    private final MoquetteEngineFactory factory = new MoquetteEngineFactory();

    @Test
    void aPortInUseLeavesTheStoreInPlace() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        EngineSettings s = EngineSettings.builder().port(Listener.TCP, port).storeDirectory(data.resolve("broker"))
                .allowAnonymous(true).build();
        factory.start(s, TestHooks.allowAll()).close();
        Path store = s.storeDirectory().resolve(EdgeportServer.STORE_FILE);
        assertThat(store).exists();

        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> factory.start(s, TestHooks.allowAll()))
                    .isInstanceOf(EdgeportServer.BindFailure.class);
        }
        assertThat(store).as("the store was not set aside").exists();
        try (var files = Files.list(store.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("unreadable"));
        }
    }

    @Test
    void anUnreadableStoreIsSetAsideAndTheEngineStarts() throws Exception {
        Path dir = Files.createDirectories(data.resolve("broker"));
        Files.writeString(dir.resolve(EdgeportServer.STORE_FILE), "this is not an MVStore");
        EngineSettings s = EngineSettings.builder().port(Listener.TCP, 0).storeDirectory(dir).build();
        try (Engine engine = factory.start(s, TestHooks.allowAll())) {
            assertThat(engine.boundPort(Listener.TCP)).isPositive();
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith(EdgeportServer.STORE_FILE + ".unreadable-"));
        }
    }
}
