package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The broker form shows the values the broker runs with and where they come from, and a saved form keeps only what the
 * operator changed (issue 15: saving after changing only sys_interval replaced the command line's
 * message_size_limit and port with the defaults).
 */
class BrokerFormTest {

    static final Function<String, String> COMMAND_LINE = Map.of("edgeport.broker.port", "11884",
            "edgeport.broker.message_size_limit", "2048")::get;

    private static AttributeDefinition ad(Map<String, ?> config, String id) throws Exception {
        BrokerForm form = new BrokerForm(Path.of("target/classes", BrokerForm.RESOURCE).toUri().toURL(),
                () -> config, COMMAND_LINE);
        ObjectClassDefinition ocd = form.getObjectClassDefinition(BrokerConfig.PID, null);
        assertThat(ocd.getName()).isEqualTo("Edgeport MQTT broker");
        return Arrays.stream(ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)).filter(a -> a.getID().equals(id))
                .findFirst().orElseThrow();
    }

    @Test
    void fieldsShowTheRunningValueAndItsSource() throws Exception {
        AttributeDefinition port = ad(Map.of(), "port");
        assertThat(port.getDefaultValue()).containsExactly("11884");
        assertThat(port.getType()).isEqualTo(AttributeDefinition.INTEGER);
        assertThat(port.getDescription()).contains("[Running: 11884 - from the command line, -Dedgeport.broker.port]");

        AttributeDefinition sys = ad(Map.of("sys_interval", 5), "sys_interval");
        assertThat(sys.getDefaultValue()).containsExactly("5");
        assertThat(sys.getDescription()).contains("set in the console");

        AttributeDefinition keepalive = ad(Map.of(), "max_keepalive");
        assertThat(keepalive.getDefaultValue()).containsExactly("65535");
        assertThat(keepalive.getDescription()).contains("- default]");

        AttributeDefinition over = ad(Map.of("port", 1999), "port");
        assertThat(over.getDescription()).contains("set in the console, over the command line's"
                + " edgeport.broker.port=11884");

        AttributeDefinition sync = ad(Map.of(), "persistence_sync");
        assertThat(sync.getOptionValues()).containsExactly("write", "fsync");
    }

    @Test
    void aSavedFormKeepsOnlyWhatTheOperatorChanged() {
        // What the console posts: every field, as shown, with one changed.
        Map<String, Object> posted = Map.of("port", 11884, "message_size_limit", 2048, "max_keepalive", 65535,
                "sys_interval", 5, "bind_address", "127.0.0.1", "service.pid", BrokerConfig.PID);
        assertThat(ConfigSources.redundant(posted, COMMAND_LINE)).containsExactlyInAnyOrder("port",
                "message_size_limit", "max_keepalive", "bind_address");
        Map<String, Object> own = ConfigSources.without(posted, ConfigSources.redundant(posted, COMMAND_LINE));
        assertThat(own).containsOnlyKeys("sys_interval", "service.pid");
        BrokerConfig c = ConfigValues.of(own, COMMAND_LINE);
        assertThat(c.port()).isEqualTo(11884);
        assertThat(c.message__size__limit()).isEqualTo(2048);
        assertThat(c.sys__interval()).isEqualTo(5);

        // A value the operator set over the command line stays, and wins.
        Map<String, Object> mine = Map.of("port", 1999);
        assertThat(ConfigSources.redundant(mine, COMMAND_LINE)).isEmpty();
        assertThat(ConfigValues.of(mine, COMMAND_LINE).port()).isEqualTo(1999);
        assertThat(ConfigSources.source("port", mine, COMMAND_LINE)).isEqualTo(ConfigSources.Source.CONSOLE);
        assertThat(ConfigSources.source("port", Map.of(), COMMAND_LINE)).isEqualTo(ConfigSources.Source.COMMAND_LINE);
        assertThat(ConfigSources.source("sys_interval", Map.of(), COMMAND_LINE))
                .isEqualTo(ConfigSources.Source.DEFAULT);
    }
}
