package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.moquette.broker.EdgeportServer;

/**
 * A broker store that cannot be opened is set aside so that the broker stays available; a port that is in use says
 * nothing about the store, and the store (retained messages, persistent sessions) must stay where it is.
 */
class MoquetteEngineStoreTest {

    @TempDir
    Path data;

    @Test
    void aPortInUseLeavesTheStoreInPlace() throws Exception {
        AuthBridge auth = new AuthBridge(List::of, List::of, true);
        int port;
        MoquetteEngine first;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Settings s = Settings.from(ConfigValues.of(Map.of("port", port, "sys_interval", 0), k -> null), data);
        first = MoquetteEngine.start(s, auth, new ObserverHub(), "test");
        first.close();
        Path store = s.persistenceLocation().resolve(io.moquette.broker.EdgeportServer.STORE_FILE);
        assertThat(store).exists();

        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> MoquetteEngine.start(s, auth, new ObserverHub(), "test"))
                    .isInstanceOf(EdgeportServer.BindFailure.class);
        }
        assertThat(store).as("the store was not set aside").exists();
        try (var files = Files.list(store.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("unreadable"));
        }
    }
}
