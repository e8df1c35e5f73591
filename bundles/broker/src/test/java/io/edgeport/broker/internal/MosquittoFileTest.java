package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** examples/mosquitto (a Debian Mosquitto's files, as users bring them) mapped onto the broker's settings. */
class MosquittoFileTest {

    private final Path dir = Path.of("target", "mosquitto-file-" + UUID.randomUUID()).toAbsolutePath();

    private Path example() throws Exception {
        Files.createDirectories(dir.resolve("conf.d"));
        Path src = Path.of("../../examples/mosquitto");
        Files.writeString(dir.resolve("mosquitto.conf"), Files.readString(src.resolve("mosquitto.conf"))
                .replace("include_dir /etc/mosquitto/conf.d", "include_dir " + dir.resolve("conf.d")));
        Files.copy(src.resolve("conf.d/tls.conf"), dir.resolve("conf.d/tls.conf"));
        return dir.resolve("mosquitto.conf");
    }

    private static Map<String, String> texts(MosquittoFile f) {
        return f.values().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().text()));
    }

    @Test
    void theExampleBecomesThreeListenersLimitsAndPersistence() throws Exception {
        MosquittoFile f = MosquittoFile.read(example());
        assertThat(texts(f)).containsEntry("port", "1883").containsEntry("websocket_port", "9001")
                .containsEntry("tls_port", "8883").containsEntry("bind_address", "0.0.0.0")
                .containsEntry("certfile", "/etc/mosquitto/certs/server.crt")
                .containsEntry("cafile", "/etc/mosquitto/certs/ca.crt").containsEntry("allow_anonymous", "false")
                .containsEntry("max_connections", "1000").containsEntry("max_keepalive", "120")
                .containsEntry("message_size_limit", "1048576").containsEntry("max_queued_messages", "1000")
                .containsEntry("persistence", "true").containsEntry("persistence_location", "/var/lib/mosquitto/")
                .doesNotContainKeys("password_file", "acl_file");
        assertThat(f.values().get("tls_port").line().where()).endsWith("tls.conf:5");
        assertThat(f.notes()).anyMatch(n -> n.matches(".*mosquitto.conf:18: log_dest accepted \\(Edgeport logs to"
                + " standard output.*")).anyMatch(n -> n.contains("max_queued_bytes accepted"))
                .anyMatch(n -> n.matches(".*mosquitto.conf:47: '```' not supported \\(not a Mosquitto setting\\);"
                        + " ignored"));
    }

    @Test
    void whatEdgeportCannotHonourRefusesToStartWithFileAndLine() throws Exception {
        Files.createDirectories(dir);
        assertThatThrownBy(() -> MosquittoFile.read(Files.writeString(dir.resolve("a.conf"),
                "listener 1883\nlistener 1884\n"))).hasMessageEndingWith("a.conf:2: a second mqtt listener (the first"
                + " is at " + dir.resolve("a.conf") + ":1); Edgeport has one listener of each kind: mqtt, mqtt+TLS,"
                + " websockets, websockets+TLS");
        assertThatThrownBy(() -> MosquittoFile.read(Files.writeString(dir.resolve("b.conf"),
                "listener 1883 127.0.0.1\nlistener 9001 0.0.0.0\nprotocol websockets\n")))
                .hasMessageContaining("b.conf:2: listens on 0.0.0.0").hasMessageEndingWith("binds all listeners to"
                        + " one address");
        assertThatThrownBy(() -> MosquittoFile.read(Files.writeString(dir.resolve("c.conf"),
                "max_keepalive soon\n"))).hasMessageEndingWith("c.conf:1: max_keepalive must be a whole number, not"
                + " 'soon'");
        assertThatThrownBy(() -> MosquittoFile.read(Files.writeString(dir.resolve("d.conf"),
                "listener 8883\ncertfile s.crt\nkeyfile s.key\ntls_version tlsv1\n")))
                .hasMessageEndingWith("d.conf:4: tls_version tlsv1 is not supported: Edgeport speaks TLS 1.2 and 1.3"
                        + " only");
        assertThat(texts(MosquittoFile.read(Files.writeString(dir.resolve("e.conf"),
                "listener 8883\ncertfile s.crt\nkeyfile s.key\n")))).as("only a TLS listener: no plain one")
                .containsEntry("port", "0").containsEntry("tls_port", "8883");
    }
}
