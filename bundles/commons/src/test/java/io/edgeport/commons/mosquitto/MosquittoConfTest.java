package io.edgeport.commons.mosquitto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The example users arrive with (examples/mosquitto: a Debian Mosquitto's) and broken files. */
class MosquittoConfTest {

    private final Path dir = Path.of("target", "mosquitto-conf-" + UUID.randomUUID()).toAbsolutePath();

    /** The example with its include_dir pointed at the copy next to it (the only change a test makes). */
    private Path example() throws Exception {
        Files.createDirectories(dir.resolve("conf.d"));
        Path src = Path.of("../../examples/mosquitto");
        Files.writeString(dir.resolve("mosquitto.conf"), Files.readString(src.resolve("mosquitto.conf"))
                .replace("include_dir /etc/mosquitto/conf.d", "include_dir " + dir.resolve("conf.d")));
        Files.copy(src.resolve("conf.d/tls.conf"), dir.resolve("conf.d/tls.conf"));
        return dir.resolve("mosquitto.conf");
    }

    @Test
    void theDebianExampleHasThreeListenersAndItsGlobalSettings() throws Exception {
        MosquittoConf c = MosquittoConf.read(example());
        assertThat(c.listeners()).extracting(MosquittoConf.Listener::port).containsExactly(1883, 9001, 8883);
        assertThat(c.listeners().get(0).address()).isEqualTo("0.0.0.0");
        assertThat(c.listeners().get(1).address()).isNull();
        assertThat(c.listeners().get(1).get("protocol").value()).isEqualTo("websockets");
        MosquittoConf.Listener tls = c.listeners().get(2);
        assertThat(tls.get("certfile").value()).isEqualTo("/etc/mosquitto/certs/server.crt");
        assertThat(tls.get("tls_version").value()).isEqualTo("tlsv1.2");
        assertThat(tls.at().file().getFileName().toString()).isEqualTo("tls.conf");
        assertThat(tls.at().number()).isEqualTo(5);
        // keys after "listener 9001" that are not listener settings are global (per_listener_settings false)
        assertThat(c.get("max_connections").value()).isEqualTo("1000");
        assertThat(c.get("allow_anonymous").value()).isEqualTo("false");
        assertThat(c.get("password_file").where()).endsWith("mosquitto.conf:43");
        assertThat(c.all("log_type")).extracting(MosquittoConf.Line::value)
                .containsExactly("error", "warning", "notice", "information");
        assertThat(c.get("```")).as("the stray line is kept for its owner to report").isNotNull();
        assertThat(c.bridges()).isEmpty();
    }

    @Test
    void bridgeSectionsAndPerListenerSettings() throws Exception {
        Files.createDirectories(dir);
        Path f = Files.writeString(dir.resolve("b.conf"), """
                per_listener_settings true
                listener 1883
                allow_anonymous true
                connection central
                address 10.0.0.5:1883
                topic sensors/# out 1
                connection backup
                address 10.0.0.6
                """);
        MosquittoConf c = MosquittoConf.read(f);
        assertThat(c.listeners().get(0).get("allow_anonymous").value()).isEqualTo("true");
        assertThat(c.get("allow_anonymous")).isNull();
        assertThat(c.bridges()).extracting(MosquittoConf.Bridge::name).containsExactly("central", "backup");
        assertThat(c.bridges().get(0).lines()).extracting(MosquittoConf.Line::key).containsExactly("address", "topic");
    }

    @Test
    void globalKeysInsideABridgeSectionStayGlobalAsInMosquitto() throws Exception {
        Files.createDirectories(dir);
        Path f = Files.writeString(dir.resolve("g.conf"), """
                listener 1883
                connection central
                address 10.0.0.5:1883
                max_inflight_messages 50
                clientid gw-1
                cafile /etc/ca.crt
                bridge_tls_version tlsv1.2
                topic sensors/# out 1
                """);
        MosquittoConf c = MosquittoConf.read(f);
        assertThat(c.bridges().get(0).lines()).extracting(MosquittoConf.Line::key)
                .containsExactly("address", "clientid", "bridge_tls_version", "topic");
        assertThat(c.get("max_inflight_messages").where()).endsWith("g.conf:4");
        assertThat(c.listeners().get(0).get("cafile").where()).as("the last listener's, as in Mosquitto")
                .endsWith("g.conf:6");
    }

    @Test
    void aBrokenFileSaysWhereAndWhy() throws Exception {
        Files.createDirectories(dir);
        assertThatThrownBy(() -> MosquittoConf.read(Files.writeString(dir.resolve("p.conf"), "\n\nlistener http\n")))
                .hasMessageEndingWith("p.conf:3: 'http' is not a port (0-65535)");
        assertThatThrownBy(() -> MosquittoConf.read(Files.writeString(dir.resolve("i.conf"), "include_dir nowhere\n")))
                .hasMessageContaining("i.conf:1: include_dir").hasMessageEndingWith("is not a directory");
        assertThatThrownBy(() -> MosquittoConf.read(dir.resolve("missing.conf")))
                .hasMessageContaining("missing.conf: cannot read");
    }
}
