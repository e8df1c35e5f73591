package io.edgeport.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.edgeport.commons.bridge.BridgeSettings;
import io.edgeport.commons.mosquitto.MosquittoConf;

/** mosquitto.conf bridge sections → io.edgeport.bridge configurations, and keeping ConfigAdmin in step with the file. */
class FileBridgesTest {

    private final Path dir = Path.of("target", "file-bridges-" + UUID.randomUUID()).toAbsolutePath();
    private final Path conf = dir.resolve("mosquitto.conf");
    private final FakeConfigAdmin ca = new FakeConfigAdmin();

    private List<FileBridges.Section> read(String text, FileBridges.Report report) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(conf, text);
        return FileBridges.map(MosquittoConf.read(conf), report);
    }

    private FileBridges.Report sync(String text) throws Exception {
        FileBridges.Report report = new FileBridges.Report();
        FileBridges.sync(ca, conf, read(text, report), report);
        return report;
    }

    private static final String CENTRAL = """
            connection central
            address 127.0.0.1:1883
            topic sensors/# out 1
            """;

    @Test
    void aSectionBecomesTheBridgesConfigurationWithItsTypes() throws Exception {
        Files.createDirectories(dir.resolve("certs"));
        Path ca = Files.writeString(dir.resolve("certs/ca.crt"), "PEM");
        FileBridges.Report report = new FileBridges.Report();
        List<FileBridges.Section> sections = read("""
                listener 1883
                connection central
                addresses 10.0.0.5:1883 10.0.0.6:1884
                topic sensors/# out 1 "" site-a/
                topic cmd/# in 1
                clientid gw-site-a
                remote_username gw
                remote_password s3cret-pw
                cleansession true
                keepalive_interval 30
                restart_timeout 10 30
                bridge_cafile %s
                bridge_insecure false
                notifications true
                notifications_local_only true
                notification_topic state/gw
                try_private false
                bridge_protocol_version mqttv311
                bridge_attempt_unsubscribe false
                local_clientid x
                max_inflight_messages 20
                """.formatted(ca), report);

        assertThat(sections).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("central");
            assertThat(s.at().where()).isEqualTo(conf + ":2");
        });
        Map<String, Object> p = sections.get(0).properties();
        assertThat(p).containsOnlyKeys("connection", "address", "topic", "remote_clientid", "remote_username",
                "remote_password", "cleansession", "keepalive_interval", "restart_timeout", "bridge_cafile",
                "bridge_insecure", "notifications", "notifications_local_only", "notification_topic", "try_private",
                BridgeSettings.SOURCE);
        assertThat((String[]) p.get("address")).containsExactly("10.0.0.5:1883", "10.0.0.6:1884");
        assertThat((String[]) p.get("topic")).containsExactly("sensors/# out 1 \"\" site-a/", "cmd/# in 1");
        assertThat(p).containsEntry("connection", "central").containsEntry("remote_clientid", "gw-site-a")
                .containsEntry("remote_username", "gw").containsEntry("remote_password", "s3cret-pw")
                .containsEntry("cleansession", true).containsEntry("keepalive_interval", 30)
                .containsEntry("restart_timeout", 10).containsEntry("bridge_cafile", ca.toString())
                .containsEntry("bridge_insecure", false).containsEntry("notifications", true)
                .containsEntry("notifications_local_only", true).containsEntry("notification_topic", "state/gw")
                .containsEntry("try_private", false).containsEntry(BridgeSettings.SOURCE, conf + ":2");

        // what the bridge makes of it
        BridgeSettings s = BridgeSettings.from(p, "gw");
        assertThat(s.uris()).containsExactly("ssl://10.0.0.5:1883", "ssl://10.0.0.6:1884");
        assertThat(s.outRules()).singleElement().extracting(r -> r.toRemote("sensors/a"))
                .isEqualTo("site-a/sensors/a");

        assertThat(report.warn).containsExactly(
                conf + ":19: 'bridge_attempt_unsubscribe' not supported in a bridge",
                conf + ":20: 'local_clientid' not supported in a bridge");
        assertThat(report.info).containsExactly(
                conf + ":11: restart_timeout 10 30 accepted as 10 (Edgeport waits the same time before every"
                        + " attempt, without backoff)",
                conf + ":18: bridge_protocol_version mqttv311 accepted (what Edgeport's bridge does)");
        assertThat(String.join("\n", report.warn) + String.join("\n", report.info)).doesNotContain("s3cret-pw");
    }

    @Test
    void aValueTheBridgeRefusesNamesItsFileAndLine() throws Exception {
        FileBridges.Report r = new FileBridges.Report();
        assertThatThrownBy(() -> read(CENTRAL + "topic cmd/# sideways 1\n", r))
                .isInstanceOf(MosquittoConf.Invalid.class)
                .hasMessage(conf + ":4: topic: 'cmd/# sideways 1': direction must be in, out or both, not 'sideways'");
        assertThatThrownBy(() -> read(CENTRAL + "keepalive_interval 2\n", r))
                .hasMessage(conf + ":4: keepalive_interval: 2 is not between 5 and 65535");
        assertThatThrownBy(() -> read(CENTRAL + "cleansession yes\n", r))
                .hasMessage(conf + ":4: cleansession must be true or false, not 'yes'");
        assertThatThrownBy(() -> read(CENTRAL + "keepalive_interval soon\n", r))
                .hasMessage(conf + ":4: keepalive_interval must be a whole number, not 'soon'");
        assertThatThrownBy(() -> read(CENTRAL + "address 10.0.0.9:99999\n", r))
                .hasMessage(conf + ":4: address: '10.0.0.9:99999' is not host:port");
        assertThatThrownBy(() -> read(CENTRAL + "bridge_cafile /nonexistent/ca.crt\n", r))
                .hasMessage(conf + ":4: bridge_cafile: cannot read /nonexistent/ca.crt");
        assertThatThrownBy(() -> read(CENTRAL + "remote_clientid\n", r))
                .hasMessage(conf + ":4: remote_clientid needs a value");
        assertThatThrownBy(() -> read("connection central\naddress 127.0.0.1\n", r))
                .hasMessage(conf + ":1: topic: at least one topic line is needed");
        assertThatThrownBy(() -> read("connection bad!name\naddress h\ntopic a\n", r))
                .hasMessageStartingWith(conf + ":1: connection: 'bad!name' is not");
        assertThatThrownBy(() -> read(CENTRAL + CENTRAL, r))
                .hasMessage(conf + ":4: a second bridge 'central' (the first is at " + conf + ":1)");
    }

    @Test
    void theFileWinsAndIsWrittenOnlyWhenItChanged() throws Exception {
        FileBridges.Report first = sync(CENTRAL);
        String pid = "io.edgeport.bridge~central";
        assertThat(ca.stored).containsOnlyKeys(pid);
        assertThat(ca.stored.get(pid)).containsEntry("connection", "central")
                .containsEntry(BridgeSettings.SOURCE, conf + ":1");
        assertThat(first.info).containsExactly(conf + ":1: bridge 'central' configured (configuration " + pid + ")");

        FileBridges.Report again = sync(CENTRAL);
        assertThat(ca.updates.get(pid)).as("same file, no write (the bridge is not restarted)").isEqualTo(1);
        assertThat(again.info).isEmpty();

        // A console edit of a file bridge is undone at the next start.
        ca.stored.get(pid).put("topic", new String[] {"other/#"});
        sync(CENTRAL);
        assertThat(ca.updates.get(pid)).isEqualTo(2);
        assertThat((String[]) ca.stored.get(pid).get("topic")).containsExactly("sensors/# out 1");

        // A changed value is written; so is the new line of the section (the bridge itself keeps running then).
        assertThat(sync(CENTRAL.replace("out 1", "out 2")).info)
                .containsExactly(conf + ":1: bridge 'central' updated (configuration " + pid + ")");
        assertThat(ca.updates.get(pid)).isEqualTo(3);
        sync("# a comment line above\n" + CENTRAL.replace("out 1", "out 2"));
        assertThat(ca.updates.get(pid)).isEqualTo(4);
        assertThat(ca.stored.get(pid)).containsEntry(BridgeSettings.SOURCE, conf + ":2");
    }

    @Test
    void aSectionGoneFromTheFileDeletesItsBridgeButNeverOneMadeInTheConsole() throws Exception {
        ca.put("io.edgeport.bridge.console-1", FileBridges.FACTORY_PID, Map.of("connection", "made-here",
                "address", new String[] {"h"}, "topic", new String[] {"a"}));
        ca.put("io.edgeport.bridge.console-2", FileBridges.FACTORY_PID, Map.of("connection", "saved-by-form",
                "address", new String[] {"h"}, "topic", new String[] {"a"}, BridgeSettings.SOURCE, ""));
        ca.put("io.edgeport.other~x", "io.edgeport.other", Map.of(BridgeSettings.SOURCE, "elsewhere"));
        sync(CENTRAL + "connection backup\naddress 127.0.0.1:1884\ntopic sensors/# out 1\n");
        assertThat(ca.stored).containsOnlyKeys("io.edgeport.bridge~central", "io.edgeport.bridge~backup",
                "io.edgeport.bridge.console-1", "io.edgeport.bridge.console-2", "io.edgeport.other~x");

        FileBridges.Report report = sync(CENTRAL);
        assertThat(ca.stored).containsOnlyKeys("io.edgeport.bridge~central", "io.edgeport.bridge.console-1",
                "io.edgeport.bridge.console-2", "io.edgeport.other~x");
        assertThat(report.info).containsExactly(conf + ":4: bridge 'backup' is no longer in " + conf
                + ": configuration io.edgeport.bridge~backup deleted");

        sync("listener 1883\n");
        assertThat(ca.stored).containsOnlyKeys("io.edgeport.bridge.console-1", "io.edgeport.bridge.console-2",
                "io.edgeport.other~x");
        assertThat(ca.updates).doesNotContainKeys("io.edgeport.bridge.console-1", "io.edgeport.bridge.console-2");
    }

    @Test
    void aNameTheConsoleAlreadyUsesIsNotTakenOver() throws Exception {
        ca.put("io.edgeport.bridge.console-1", FileBridges.FACTORY_PID, Map.of("connection", "central",
                "address", new String[] {"h"}, "topic", new String[] {"a"}));
        FileBridges.Report report = sync(CENTRAL);
        assertThat(ca.stored).containsOnlyKeys("io.edgeport.bridge.console-1");
        assertThat(report.warn).containsExactly(conf + ":1: bridge 'central' not applied: configuration"
                + " io.edgeport.bridge.console-1 (made in the console) is a bridge of that name; delete it there or"
                + " rename one of them");

        // a named configuration made without the file's mark (Gogo, Configurator) is left alone too
        FakeConfigAdmin other = new FakeConfigAdmin();
        other.put("io.edgeport.bridge~central", FileBridges.FACTORY_PID, Map.of("connection", "central",
                "address", new String[] {"h"}, "topic", new String[] {"a"}));
        FileBridges.Report r2 = new FileBridges.Report();
        FileBridges.sync(other, conf, read(CENTRAL, r2), r2);
        Dictionary<String, Object> kept = other.stored.get("io.edgeport.bridge~central");
        assertThat(kept.get(BridgeSettings.SOURCE)).isNull();
        assertThat(r2.warn).hasSize(1);
    }
}
